import Synchronization
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport

/// The per-server logic run for each accepted channel, on the channel's loop.
final class Session: Sendable {
    /// The upgrade hook `start` was given.
    enum UpgradeHook: Sendable {
        /// Decides synchronously, on the connection's loop, within the read of the request.
        case onLoop(@Sendable (UpgradeRequest) -> UpgradeDecision)
        /// Decides in a task preferring the connection's loop; reading waits for its answer.
        case async(@Sendable (UpgradeRequest) async -> UpgradeDecision)
    }

    /// The application's code that `start` was given.
    struct Hooks: Sendable {
        let shouldUpgrade: UpgradeHook
        let plainHTTP: (@Sendable (PlainRequest) -> PlainResponse)?
        let handler: @Sendable (WebSocket) async -> Void
    }

    let configuration: WebSocketServer.Configuration
    /// The Core's configuration of every connection.
    let connectionConfiguration: WebSocketCore.Configuration
    let registry: ConnectionRegistry
    let hooks: Hooks
    /// ``WebSocketServer/Configuration/trustedProxies``, parsed; nil without.
    let forwardedClients: ForwardedClients?
    /// Refused connections (503) waiting for their client to close: each holds a descriptor
    /// for up to the close timeout, so their number is bounded (``maxLingeringRefusals``).
    let lingeringRefusals = Atomic<Int>(0)

    /// The most refused connections that linger at once; past it a refusal closes as soon as
    /// its 503 is written. Without a bound, a client opening connections over the limit in a
    /// loop held one descriptor per attempt for the close timeout, up to `EMFILE`.
    static let maxLingeringRefusals = 256

    /// - Throws: ``TrustedProxiesError`` for an entry of `trustedProxies` that is no address.
    init(configuration: WebSocketServer.Configuration, registry: ConnectionRegistry, hooks: Hooks) throws(TrustedProxiesError) {
        self.configuration = configuration
        forwardedClients = try configuration.trustedProxies.map { (proxies) throws(TrustedProxiesError) in
            try ForwardedClients(proxies)
        }
        var connection = configuration.connection.effectiveConnection
        connection.deliversPlainHTTPRequests = hooks.plainHTTP != nil
        connectionConfiguration = connection
        self.registry = registry
        self.hooks = hooks
    }

    /// A new connection: track it, or refuse it with 503 when over the limit or over its
    /// address's limit.
    func accepted(_ channel: Channel) {
        let socket = WebSocket(connection: Connection.server(configuration: connectionConfiguration),
                               configuration: configuration.connection, loop: channel.loop)
        let remote = channel.remoteAddress?.description
        if let refusal = registry.admit(socket, limit: configuration.maxConnections, address: Self.countedAddress(of: channel),
                                        addressLimit: configuration.maxConnectionsPerAddress) {
            report(.refused(refusal), from: remote)
            return refuse(channel)
        }
        let proxyHeader = channel.proxyHeader
        // The request the connection opens with, for the `opened` event (loop-confined).
        var opening: UpgradeRequest?
        let peer = channel.remoteAddress
        let isLocal = channel.localAddress?.family == .unix
        socket.onUpgradeRequest = { [self] socket, request in
            let client = client(of: peer, isLocal: isLocal, headers: request.headers)
            let upgrade = UpgradeRequest(request: request, remoteAddress: remote, proxyHeader: proxyHeader,
                                         clientAddress: client.address, isForwarded: client.isForwarded)
            if configuration.onEvent != nil { opening = upgrade }
            switch hooks.shouldUpgrade {
            case .onLoop(let decide):
                Self.apply(decide(upgrade), to: socket)
            case .async(let decide):
                // Created on the loop, which runs the task's first job only after this returns.
                // Tracked like a handler (shutdown waits for it, then cancels it); the socket is
                // held weakly, so that a decision ignoring its cancellation holds no connection.
                let loop = socket.loop
                socket.pendingDecision = registry.startTask(on: loop) { [weak socket] in
                    let decision = await decide(upgrade)
                    guard let socket else { return }
                    let apply: @Sendable () -> Void = {
                        socket.pendingDecision = nil
                        Self.apply(decision, to: socket)
                    }
                    loop.executeHereOrEnqueue(apply)
                }
            }
        }
        if let plainHTTP = hooks.plainHTTP {
            socket.onPlainHTTPRequest = { [self] socket, request in
                let response = plainHTTP(PlainRequest(
                    request: request, remoteAddress: remote, proxyHeader: proxyHeader,
                    clientAddress: client(of: peer, isLocal: isLocal, headers: request.headers).address))
                socket.respondToPlainRequest(status: response.status, headers: response.headers, body: response.body)
            }
        }
        socket.onOpen = { [self] socket in
            if let upgrade = opening {
                opening = nil
                report(.opened(upgrade), from: remote)
            }
            // The handler runs on the connection's loop: receiving and sending cost no thread hop.
            registry.startHandler(for: socket, hooks.handler)
        }
        socket.onFinish = { [self] socket in
            // Reported before the registry forgets it: `shutdown` returns once the registry
            // is empty, so no event of a tracked connection comes after it.
            if configuration.onEvent != nil { report(Self.ending(of: socket), from: remote) }
            registry.remove(socket)
        }
        socket.attachAccepted(channel, handshakeTimeout: configuration.connection.openTimeout)
    }

    /// The client of a request from `peer` (``UpgradeRequest/clientAddress``); `isLocal`:
    /// the listener is a Unix socket's.
    private func client(of peer: SocketAddress?, isLocal: Bool, headers: HTTPHeaders) -> ForwardedClients.Client {
        if let forwardedClients { return forwardedClients.client(peer: peer, isLocal: isLocal, headers: headers) }
        return ForwardedClients.Client(address: peer.flatMap { $0.family == .unix ? nil : $0.unmappingIPv4.host }, isForwarded: false)
    }

    /// Tells ``WebSocketServer/Configuration/onEvent`` of `kind`.
    func report(_ kind: ServerEvent.Kind, from remote: String?) {
        configuration.onEvent?(ServerEvent(kind, remoteAddress: remote))
    }

    /// How a tracked connection ended, once its transport closed: closed after it opened,
    /// a plain request answered, or failed before it opened.
    private static func ending(of socket: WebSocket) -> ServerEvent.Kind {
        guard let (status, reason, error) = socket.endingBeforeOpen else { return .closed(socket.ending) }
        // Answered, whatever the transport did after (a client resetting during the lingering
        // close, a TLS client leaving without close_notify); the status as sent.
        if case .plainHTTPRequestAnswered(let asked)? = reason?.kind {
            return .answeredPlainRequest(status: status ?? asked)
        }
        return .failedBeforeOpen(status: status, error: error)
    }

    /// The client address that ``WebSocketServer/Configuration/maxConnectionsPerAddress``
    /// counts `channel` under: its peer's IP address, or the client's that its PROXY header
    /// names, an IPv4-mapped IPv6 address as the IPv4 address (one client, one count, through
    /// a dual-stack socket or a balancer alike). Nil, not counted: a Unix socket's peer, and a
    /// PROXY header that names no client (`LOCAL` health checks, `UNKNOWN`, a v2 `UNSPEC` or
    /// `UNIX` source), whose fallback, the balancer's address, would count every such client
    /// as one.
    static func countedAddress(of channel: Channel) -> String? {
        if let header = channel.proxyHeader, header.source == nil { return nil }
        guard let address = channel.remoteAddress, address.family != .unix else { return nil }
        return address.unmappingIPv4.host
    }

    /// Answers the pending upgrade request; on the socket's loop. A connection that ended
    /// meanwhile (its open timeout) is left as it is.
    private static func apply(_ decision: UpgradeDecision, to socket: WebSocket) {
        switch decision {
        case .accept(let subprotocol, let headers): socket.acceptUpgrade(subprotocol: subprotocol, headers: headers)
        case .reject(let status, let headers): socket.rejectUpgrade(status: status, headers: headers)
        }
    }

    /// Answers a connection over `maxConnections`, or over its address's
    /// `maxConnectionsPerAddress`, with 503.
    ///
    /// A lingering close (``Channel/closeAfterFlush(lingering:)``), as HTTP servers do:
    /// half-close and let the client close first. Closing at once, with the client's request
    /// still to come (over TLS it follows the handshake that carries the 503), would answer it
    /// with a reset that can destroy the 503 before the client reads it. The close timeout
    /// bounds the wait, and ``maxLingeringRefusals`` the number of such waits.
    /// A refusal stops counting when its channel closes, at the client's close or at the
    /// timeout: counted until the timeout alone, a burst of clients that closed at once kept
    /// later refusals from lingering for a whole close timeout.
    private func refuse(_ channel: Channel) {
        channel.write(ServerHandshakeResponse.reject(status: 503))
        let lingering = lingeringRefusals.add(1, ordering: .relaxed).newValue
        guard lingering <= Self.maxLingeringRefusals else {
            lingeringRefusals.subtract(1, ordering: .relaxed)
            return channel.closeAfterFlush()
        }
        let timeout = channel.loop.scheduleTask(in: configuration.connection.closeTimeout) { channel.close() }
        channel.handler = RefusedChannel { [self] in
            timeout.cancel()
            lingeringRefusals.subtract(1, ordering: .relaxed)
        }
        channel.closeAfterFlush(lingering: true)
    }
}

/// The handler of a connection refused with 503 while it lingers: drops what the client
/// sends, and reports the close once. Loop thread.
private final class RefusedChannel: ChannelHandler {
    private var onClose: (() -> Void)?

    init(onClose: @escaping () -> Void) {
        self.onClose = onClose
    }

    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {}

    func channelInactive(_ channel: Channel, error: TransportError?) {
        let closed = onClose
        onClose = nil
        closed?()
    }
}
