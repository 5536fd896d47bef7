/// An HTTP/1.1 response head: `status-line = HTTP-version SP status-code SP reason-phrase CRLF`
/// (RFC 7230 §3.1.2) and the header fields.
public struct HTTPResponseHead: Sendable, Hashable {
    /// The HTTP version, e.g. `HTTP/1.1` (RFC 7230 §2.6).
    public var version: String

    /// The three-digit status code (RFC 7230 §3.1.2), e.g. 101.
    public var status: Int

    /// The reason phrase, possibly empty; informational only (RFC 7230 §3.1.2: "A client SHOULD
    /// ignore the reason-phrase content").
    public var reason: String

    /// The header fields.
    public var headers: HTTPHeaders

    /// Creates a response head from its parts, unchecked.
    ///
    /// - Parameters:
    ///   - version: The HTTP version.
    ///   - status: The status code.
    ///   - reason: The reason phrase.
    ///   - headers: The header fields.
    public init(version: String = "HTTP/1.1", status: Int, reason: String, headers: HTTPHeaders) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Reads a parsed head as a response (RFC 7230 §3.1.2).
    ///
    /// Any HTTP/1.x version is accepted, so that a client can report the status of an error
    /// response from an HTTP/1.0 server. A status line without the space before an empty reason
    /// (`HTTP/1.1 101`) is tolerated: some servers send it, and the reason carries nothing.
    ///
    /// - Parameter head: A head from ``HTTPHeadParser``.
    /// - Throws: ``HandshakeError/Kind/malformedStartLine`` for a bad version, status code or
    ///   separator; ``HandshakeError/Kind/unsupportedHTTPVersion`` for a major version other
    ///   than 1.
    public init(_ head: HTTPHead) throws(HandshakeError) {
        let line = Array(head.startLine.utf8)
        guard line.count >= 12, line[8] == HTTPGrammar.space,
            line.count == 12 || line[12] == HTTPGrammar.space,
            let version = HTTPVersion(String(decoding: line[0..<8], as: UTF8.self)),
            let status = Self.statusCode(line[9..<12])
        else { throw Self.malformed }
        let versionText = String(decoding: line[0..<8], as: UTF8.self)
        guard version.major == 1 else { throw HandshakeError(.unsupportedHTTPVersion(versionText)) }
        let reason = line.count > 13 ? String(decoding: line[13...], as: UTF8.self) : ""
        self.init(version: versionText, status: status, reason: reason, headers: head.headers)
    }

    /// `status-code = 3DIGIT` (RFC 7230 §3.1.2).
    private static func statusCode(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private static let malformed = HandshakeError(.malformedStartLine,
        message: "status line is not `HTTP-version SP status-code SP reason-phrase` (RFC 7230 §3.1.2)")
}
