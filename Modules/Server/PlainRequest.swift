public import WebSocketHandshake
public import WebSocketTransport

/// What the server's plain-HTTP hook sees of a request that does not ask for a WebSocket (no
/// `websocket` in `Upgrade`): a load balancer's health check, a browser opening the URL.
public struct PlainRequest: Sendable {
    /// The request: method, path, query, host and every header. It has no body: a request
    /// that declares one is refused with 413 before the hook runs.
    public let request: PlainHTTPRequest
    /// The client's address, `host:port`; nil for a client on a Unix domain socket (unless the
    /// PROXY protocol named one).
    public let remoteAddress: String?
    /// The PROXY protocol header the connection started with, as ``UpgradeRequest/proxyHeader``.
    public let proxyHeader: ProxyHeader?
    /// The client's IP address, as ``UpgradeRequest/clientAddress``.
    public let clientAddress: String?
}

/// The server application's answer to a plain HTTP request. The server writes it with
/// `Connection: close` and `Content-Length` (except for 204 and 304), without the body for
/// `HEAD`, and closes the connection once the client closed its side, or after 2 s (the close
/// timeout if shorter): a client that has not read the whole body by then loses the rest, so
/// keep it small.
public struct PlainResponse: Sendable {
    /// The status, e.g. 200; outside 200...599 it becomes 500.
    public var status: Int
    /// Response headers, e.g. `Content-Type`. Fields with CR, LF or NUL, and the
    /// `Content-Length`, `Transfer-Encoding` and `Connection` fields the server writes itself,
    /// are dropped.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: Int = 200) -> PlainResponse {
        PlainResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }
}
