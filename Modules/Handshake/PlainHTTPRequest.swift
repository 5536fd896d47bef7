/// A request that does not ask for a WebSocket, checked for a server that answers such
/// requests itself (a load balancer's health check, a browser opening the URL): it has no
/// `websocket` token in `Upgrade` (RFC 6455 §4.2.1 item 3) and no `Sec-WebSocket-` field.
///
/// Any method is accepted, HTTP/1.0 as well as 1.1. The server reads the head only, so a
/// request that carries a body is refused (``HandshakeError/Kind/requestBodyNotAccepted``,
/// 413), and the response closes the connection.
public struct PlainHTTPRequest: Sendable, Hashable {
    /// The method, case-sensitive (RFC 7230 §3.1.1), e.g. `GET` or `HEAD`.
    public let method: String
    /// The request target as sent (RFC 7230 §5.3).
    public let target: String
    /// The HTTP version: `HTTP/1.0` or `HTTP/1.1` (or a later 1.x).
    public let version: String
    /// The path of the target, before any `?`; `/` at least.
    public let path: String
    /// The query of the target, after the first `?`; `nil` if there is no `?`.
    public let query: String?
    /// The `Host` value; `nil` only for an HTTP/1.0 request without one.
    public let host: String?
    /// All header fields of the request.
    public let headers: HTTPHeaders

    /// Whether `head` asks for a WebSocket: its `Upgrade` header has the `websocket` token, or
    /// it carries `Sec-WebSocket-Key` or `Sec-WebSocket-Version`, fields only a WebSocket
    /// client sends (a proxy configured without `Upgrade` forwarding drops that field and
    /// `Connection`, and its client should hear 426, not a plain answer). Such a request is
    /// validated as an opening handshake (``ServerHandshakeRequest``) and answered with the
    /// RFC's statuses; any other request is a plain one.
    public static func isUpgradeRequest(_ head: HTTPRequestHead) -> Bool {
        head.headers.containsToken("websocket", for: "Upgrade")
            || head.headers.contains("Sec-WebSocket-Key") || head.headers.contains("Sec-WebSocket-Version")
    }

    /// Checks a request head as a plain HTTP request.
    ///
    /// - Parameter head: The request head, from ``HTTPRequestHead/init(_:)``.
    /// - Throws: ``HandshakeError`` — `invalidRequestTarget` (origin-form or absolute-form, and
    ///   `*` for `OPTIONS`; `CONNECT`, which asks a proxy for a tunnel, is refused), `missingHost`
    ///   or `duplicateHeader("Host")` for an HTTP/1.1 request and for any request with a `Host`
    ///   field (RFC 7230 §5.4: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
    ///   request message that lacks a Host header field and to any request message that
    ///   contains more than one Host header field or a Host header field with an invalid
    ///   field-value"), `requestBodyNotAccepted` (413).
    public init(validating head: HTTPRequestHead) throws(HandshakeError) {
        guard head.method != "CONNECT" else {
            throw HandshakeError(.invalidRequestTarget, message: "CONNECT asks a proxy for a tunnel (RFC 9110 §9.3.6)")
        }
        // RFC 7230 §5.3.4: the asterisk-form "is only used for a server-wide OPTIONS request".
        let target = head.method == "OPTIONS" && head.target == "*"
            ? RequestTarget(path: "*", query: nil) : try RequestTarget(head.target)
        let headers = head.headers
        let host: String?
        if HTTPVersion(head.version)?.isAtLeast11 == true || headers.contains("Host") {
            host = try ServerHandshakeRequest.host(headers)
        } else {
            host = nil
        }
        guard !Self.declaresBody(headers) else { throw HandshakeError(.requestBodyNotAccepted) }
        (method, self.target, version, path, query) = (head.method, head.target, head.version, target.path, target.query)
        self.host = host
        self.headers = headers
    }

    /// RFC 7230 §3.3: "The presence of a message body in a request is signaled by a
    /// Content-Length or Transfer-Encoding header field." A `Content-Length` of 0 is no body.
    package static func declaresBody(_ headers: HTTPHeaders) -> Bool {
        if headers.contains("Transfer-Encoding") { return true }
        return headers.values(for: "Content-Length").contains { value in
            !(value.utf8.allSatisfy { $0 == UInt8(ascii: "0") } && !value.isEmpty)
        }
    }
}
