import PerMessageDeflate
public import WebSocketDriver
public import WebSocketTransport

extension WebSocketServer {
    /// Where and how the server listens, and the limits it applies to an untrusted network.
    public struct Configuration: Sendable {
        /// The address to bind: `0.0.0.0` (IPv4), `::` (IPv6 and, on Linux, IPv4), or a specific
        /// address. Default `127.0.0.1`: listen publicly only when asked to.
        public var host: String = "127.0.0.1"
        /// The port; 0 picks a free one (read it back from ``WebSocketServer/port``).
        public var port: Int = 0
        /// Listen on a Unix domain socket at this path instead of ``host`` and ``port``: behind a
        /// reverse proxy on the same host (nginx's `proxy_pass http://unix:/run/app.sock:`,
        /// HAProxy's `server app unix@/run/app.sock`), with no TCP port open. A socket file left
        /// there by a process that died is replaced; a live socket, or another kind of file,
        /// fails `start` (a lock file beside it, `app.sock.lock`, is held while the server runs
        /// and left in place). The socket file is removed at ``WebSocketServer/shutdown()``. Clients'
        /// `remoteAddress` is nil (a Unix socket client has no address) unless ``proxyProtocol``
        /// names one. Default nil: TCP.
        public var unixSocketPath: String?
        /// The Unix socket file's permissions (e.g. `0o660`, so that a proxy in the group can
        /// connect), set before it listens. Default nil: the process's umask decides.
        public var unixSocketPermissions: UInt32?
        /// Options of every accepted connection (limits, timeouts, subprotocols, extensions).
        /// Its `openTimeout` bounds the opening handshake: a client that never finishes its
        /// request is dropped then.
        public var connection: WebSocket.Configuration = WebSocket.Configuration()
        /// The most connections open at once; further clients get 503. At least 1: `start`
        /// throws for less. Default 10,000.
        public var maxConnections: Int = 10_000
        /// The most connections open at once from one client IP address; further ones from it
        /// get 503, like nginx's `limit_conn`, so that one client cannot take every
        /// ``maxConnections`` slot. At least 1: `start` throws for less. Default nil: no limit
        /// per address, as many users may share one address behind a NAT or a proxy.
        ///
        /// - The address is the peer's, or, with ``proxyProtocol``, the client's that the PROXY
        ///   header names (also on a Unix socket listener).
        /// - An IPv4 client is one address whether it comes as IPv4 or IPv4-mapped IPv6
        ///   (`::ffff:192.0.2.1`). An IPv6 address is compared whole: a client with a /64 of its
        ///   own can use many.
        /// - Not counted: peers on a Unix socket without the PROXY protocol, and PROXY headers
        ///   that name no client (`LOCAL` health checks, `UNKNOWN`), which would otherwise all
        ///   count as the balancer's one address.
        public var maxConnectionsPerAddress: Int?
        /// How many event loops (threads) serve connections. Default 1; set it to the number of
        /// cores for a busy server. Connections are handed to the loops round-robin.
        public var eventLoopCount: Int = 1
        /// The listen backlog. Default 511, like nginx.
        public var backlog: Int = 511
        /// Serve `wss://` (RFC 6455 §3, §4.2): every connection does the TLS handshake first,
        /// within ``WebSocketDriver/WebSocket/Configuration/openTimeout`` together with the
        /// opening handshake. Certificate and key, client certificates (mutual TLS), SNI: see
        /// ``WebSocketTransport/TLSServerConfiguration``. Default nil: plain `ws://`.
        public var tls: TLSServerConfiguration?
        /// Behind a TCP load balancer that sends the PROXY protocol (HAProxy `send-proxy` or
        /// `send-proxy-v2`, AWS NLB with proxy protocol v2, nginx `proxy_protocol on` in its
        /// stream module): every connection must start with a version 1 or 2 header, read
        /// before the TLS handshake, and ``UpgradeRequest/remoteAddress`` is the client it names
        /// (the balancer's own address for its `LOCAL` health checks); the header itself, with
        /// its version 2 TLVs (AWS's VPC endpoint ID, the TLS server name), is
        /// ``UpgradeRequest/proxyHeader``. A connection without a
        /// valid header within the open timeout is dropped (the opening handshake then has an
        /// open timeout of its own), and at most
        /// ``maxConnections`` connections may be sending their header at once (beyond, new ones
        /// are dropped). Default false. Turn it on only when every connection
        /// comes through such a balancer: anyone who can reach the port directly can claim any
        /// address with a header of their own.
        public var proxyProtocol: Bool = false
        /// Behind HTTP reverse proxies that name the client in `X-Forwarded-For` or
        /// `Forwarded` (RFC 7239): which header, and the proxies' addresses. Requests from
        /// them get the client those headers name as ``UpgradeRequest/clientAddress``; other
        /// requests keep their peer's, whatever headers they send. `start` throws for an
        /// entry that is neither an address nor a CIDR range. Default nil: the headers are
        /// ignored (anyone can send them). The connection limits count the peer (the PROXY
        /// protocol's client), which the server knows before any header arrives: behind an
        /// HTTP proxy, ``maxConnectionsPerAddress`` caps all of the proxy's clients together
        /// (limit them per client at the proxy, e.g. nginx's `limit_conn`).
        public var trustedProxies: WebSocketServer.TrustedProxies?
        /// Told of each connection's fate and of the listener's failures, for logs and metrics
        /// (``ServerEvent``): refused with 503, opened, closed, answered, failed before it
        /// opened, and `accept` failures or connections dropped for their PROXY header. Called
        /// on the connection's loop, on several loops at once with `eventLoopCount` over 1:
        /// keep it short and non-blocking (hand the event to a logger's queue). Default nil.
        ///
        /// ```swift
        /// configuration.onEvent = { event in print(event) }   // 203.0.113.7:51234: opened /chat
        /// ```
        public var onEvent: (@Sendable (ServerEvent) -> Void)?

        /// Creates the default configuration. Compression is on, with a smaller window and
        /// memLevel than a client's (about 38 KiB instead of 262 KiB per compressing
        /// connection), since a server holds many connections.
        public init() {
            connection.compression = PerMessageDeflate(serverMaxWindowBits: 12, memoryLevel: 5)
        }
    }
}
