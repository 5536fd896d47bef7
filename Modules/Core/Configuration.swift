public import WebSocketExtensions
public import WebSocketHandshake

/// Limits and options of one connection, for either role.
///
/// Every default is chosen for a service exposed to an untrusted network; raise them for a
/// trusted peer (the Autobahn driver raises them to the suite's 16 MiB messages).
public struct Configuration: Sendable {
    /// The largest frame payload accepted, in bytes. Default 1 MiB: python-websockets' default
    /// message limit, large enough for ordinary JSON APIs, small enough that a thousand
    /// connections cannot exhaust memory. Checked from the header, before allocating.
    public var maxFrameSize: Int = 1 << 20

    /// The largest message accepted, in bytes, after any extension decoding (decompression).
    /// Default 1 MiB for the same reasons; exceeding it closes with 1009.
    public var maxMessageSize: Int = 1 << 20

    /// The most frames one message may be split into, empty ones included. Default 16,384: a
    /// 1 MiB message in 64-byte fragments still fits, while a peer cannot keep a message open
    /// forever with empty fragments. Exceeding it closes with 1009.
    public var maxFragmentsPerMessage: Int = 16_384

    /// Limits on the HTTP head of the opening handshake.
    public var headLimits: HTTPHeadLimits = HTTPHeadLimits()

    /// Subprotocols (RFC 6455 §1.9): a client offers them in this order; a server picks the
    /// first of these that the client offered, unless the application chooses itself.
    public var subprotocols: [String] = []

    /// Extensions (RFC 6455 §9): a client offers them in this order; a server accepts them in
    /// this order of preference.
    public var extensions: [any ExtensionFactory] = []

    /// The most pongs (answers to the peer's pings) kept waiting in the output while the
    /// driver has not taken it: past `maxQueuedPongs - 1`, only the pong for the most recent
    /// ping is kept (RFC 6455 §5.5.3 allows it), so a ping flood cannot grow the output without
    /// bound. Default 16: a driver that takes the output after each read answers every ping of
    /// a burst of 16 (Autobahn 2.10/2.11 send 10). While ``Connection/isOutputBlocked`` is
    /// set, one pong at most waits.
    public var maxQueuedPongs: Int = 16

    /// Server role: a request that does not ask for a WebSocket (no `websocket` in `Upgrade`,
    /// e.g. a load balancer's health check) is reported as ``Event/plainHTTPRequest(_:)`` for
    /// the application to answer with ``Connection/respond(status:reason:headers:body:)``.
    /// Default false: such a request is refused as a broken upgrade request is: 426 Upgrade
    /// Required for an HTTP/1.1 `GET` (RFC 7231 §6.5.15), 405 for another method, 400 for
    /// HTTP/1.0. A request with `Sec-WebSocket-Key` or `Sec-WebSocket-Version` counts as an
    /// upgrade request (a proxy may have dropped its `Upgrade`), and an upgrade request that
    /// breaks a rule of RFC 6455 §4.2.1 is refused either way.
    public var deliversPlainHTTPRequests: Bool = false

    /// Creates the default configuration.
    public init() {}
}
