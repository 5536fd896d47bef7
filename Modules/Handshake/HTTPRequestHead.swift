/// An HTTP/1.x request head: `request-line = method SP request-target SP HTTP-version CRLF`
/// (RFC 7230 §3.1.1) and the header fields.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method, case-sensitive (RFC 7230 §3.1.1), e.g. `GET`.
    public var method: String

    /// The request target as sent (RFC 7230 §5.3), e.g. `/chat?room=1`.
    public var target: String

    /// The HTTP version, e.g. `HTTP/1.1` (RFC 7230 §2.6).
    public var version: String

    /// The header fields.
    public var headers: HTTPHeaders

    /// Creates a request head from its parts, unchecked.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - target: The request target.
    ///   - version: The HTTP version.
    ///   - headers: The header fields.
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Reads a parsed head as a request (RFC 7230 §3.1.1).
    ///
    /// - Parameter head: A head from ``HTTPHeadParser``.
    /// - Throws: ``HandshakeError/Kind/malformedStartLine`` unless the line has exactly three
    ///   parts separated by single spaces with a token method and a valid version;
    ///   ``HandshakeError/Kind/invalidRequestTarget`` for a target with non-visible characters;
    ///   ``HandshakeError/Kind/unsupportedHTTPVersion`` for a version other than 1.x (HTTP/1.0
    ///   is read; ``ServerHandshakeRequest`` refuses it).
    public init(_ head: HTTPHead) throws(HandshakeError) {
        let parts = head.startLine.utf8.split(separator: HTTPGrammar.space, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }), HTTPGrammar.isToken(parts[0]) else {
            throw HandshakeError(.malformedStartLine,
                message: "request line is not `method SP request-target SP HTTP-version` (RFC 7230 §3.1.1)")
        }
        guard parts[1].allSatisfy(HTTPGrammar.isVisibleASCII) else {
            throw HandshakeError(.invalidRequestTarget)
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard let parsed = HTTPVersion(version) else {
            throw HandshakeError(.malformedStartLine, message: "malformed HTTP version (RFC 7230 §2.6)")
        }
        // HTTP/1.0 is read too, for the plain requests a server may answer (health checkers
        // such as HAProxy's send it); RFC 6455 §4.1's "the HTTP version MUST be at least 1.1"
        // and its method rule are checked by ServerHandshakeRequest.
        guard parsed.major == 1 else { throw HandshakeError(.unsupportedHTTPVersion(version)) }
        self.init(method: String(decoding: parts[0], as: UTF8.self),
            target: String(decoding: parts[1], as: UTF8.self), version: version, headers: head.headers)
    }
}
