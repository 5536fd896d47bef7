/// An HTTP/1.1 message head: the start line and the header fields (RFC 7230 §3), as produced by
/// ``HTTPHeadParser``. Read it as a request with ``HTTPRequestHead/init(_:)`` or as a response
/// with ``HTTPResponseHead/init(_:)``.
public struct HTTPHead: Sendable, Hashable {
    /// The request line or status line, without CRLF (RFC 7230 §3.1).
    public var startLine: String

    /// The header fields in order, names as received, values with OWS removed (RFC 7230 §3.2).
    public var headers: HTTPHeaders

    /// Creates a head.
    ///
    /// - Parameters:
    ///   - startLine: The request line or status line, without CRLF.
    ///   - headers: The header fields.
    public init(startLine: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.startLine = startLine
        self.headers = headers
    }
}
