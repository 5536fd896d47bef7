public import WebSocketHandshake
public import WebSocketTransport

/// The server application's answer to an upgrade request (RFC 6455 §4.2.2).
public enum UpgradeDecision: Sendable {
    /// Accept, optionally with a subprotocol the client offered and extra response headers.
    case accept(subprotocol: String? = nil, headers: HTTPHeaders = HTTPHeaders())
    /// Refuse with an HTTP status (e.g. 403 for a refused `Origin`, 404 for an unknown path).
    case reject(status: Int, headers: HTTPHeaders = HTTPHeaders())
}

/// What the server's upgrade hook sees of a request.
public struct UpgradeRequest: Sendable {
    /// The validated request: path, query, host, origin, offered subprotocols and extensions,
    /// and every header.
    public let request: ServerHandshakeRequest
    /// The client's address, `host:port`; nil for a client on a Unix domain socket (unless the
    /// PROXY protocol named one).
    public let remoteAddress: String?
    /// The PROXY protocol header the connection started with (``WebSocketServer/Configuration/proxyProtocol``),
    /// with what the balancer added: its TLVs, e.g. ``WebSocketTransport/ProxyHeader/awsVPCEndpointID``
    /// or the TLS server name the client asked for (``WebSocketTransport/ProxyHeader/authority``);
    /// nil without the PROXY protocol. As trustworthy as the balancer, and only if it is the
    /// only way to the port: a client that reaches the port directly can send any header.
    public let proxyHeader: ProxyHeader?
    /// The client's IP address (no port): the one the trusted proxies' header names
    /// (``WebSocketServer/Configuration/trustedProxies``) when the request came through them,
    /// else the peer's (the PROXY protocol's client). Nil when it is not known: a Unix
    /// socket's peer without such a header, or a header through trusted proxies that breaks
    /// its grammar or reaches an `unknown` or obfuscated node before an untrusted address.
    public let clientAddress: String?
    /// Whether ``clientAddress`` comes from a trusted proxy's header.
    let isForwarded: Bool
}
