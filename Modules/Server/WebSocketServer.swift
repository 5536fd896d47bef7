import Synchronization
import WebSocketCore
public import WebSocketDriver
import WebSocketFraming
import WebSocketHandshake
public import WebSocketTransport

/// A WebSocket server (RFC 6455 §4.2): listens, upgrades, and hands each open connection to a
/// handler. Connections are the same ``WebSocketDriver/WebSocket`` type the client uses.
///
/// ```swift
/// let server = try WebSocketServer.start { ws in
///     for try await message in ws.messages { try await ws.send(message) }
/// }
/// print("listening on", server.port)
/// ```
public final class WebSocketServer: Sendable {
    /// The options in force (``updateTLS(_:)`` changes its `tls`).
    public var configuration: Configuration { current.withLock { $0 } }
    private let current: Mutex<Configuration>
    /// The loops serving connections (the first one also accepts).
    public let loops: [EventLoop]
    private let listener: Listener
    private let registry = ConnectionRegistry()
    private let ownsLoops: Bool

    /// The port the server listens on (the real one when 0 was asked); 0 on a Unix socket.
    public var port: Int { listener.localAddress.port }

    /// The address the server listens on: IP address and port, or the Unix socket's path.
    public var localAddress: SocketAddress { listener.localAddress }

    /// Starts a server.
    /// - Parameters:
    ///   - configuration: address, limits and options.
    ///   - loops: loops to run on; by default the server starts `eventLoopCount` of its own.
    ///   - shouldUpgrade: decides on each valid upgrade request (origin checks, auth, routing,
    ///     subprotocol). Runs on the connection's loop: keep it short and non-blocking. Accepts
    ///     everything by default.
    ///   - plainHTTP: answers requests that do not ask for a WebSocket (no `websocket` in
    ///     `Upgrade`), such as a load balancer's `GET /health`, with any method and HTTP/1.0 or
    ///     1.1; the connection closes after the response. Runs on the connection's loop: keep it
    ///     short and non-blocking. By default (nil) such requests are refused as broken upgrade
    ///     requests are (426 Upgrade Required for a `GET`).
    ///   - handler: runs once per open connection, in its own task on the connection's loop.
    ///     When it returns, a connection still open is closed with 1000 (normal closure). A
    ///     connection that others write to after the handler's own work (a chat room's
    ///     members, kept in a registry) is held open by ending the handler with
    ///     `await ws.closed()`, which returns when the connection closes.
    /// - Throws: ``WebSocketError`` when the address cannot be bound, the TLS configuration
    ///   cannot be used (unreadable or mismatched certificate and key), `loops` is empty,
    ///   a connection limit is under 1, or a `trustedProxies` entry is no address.
    public static func start(
        configuration: Configuration = Configuration(),
        loops: [EventLoop]? = nil,
        shouldUpgrade: @escaping @Sendable (UpgradeRequest) -> UpgradeDecision = { _ in .accept() },
        plainHTTP: (@Sendable (PlainRequest) -> PlainResponse)? = nil,
        handler: @escaping @Sendable (WebSocket) async -> Void
    ) throws -> WebSocketServer {
        try start(configuration: configuration, loops: loops,
                  hooks: Session.Hooks(shouldUpgrade: .onLoop(shouldUpgrade), plainHTTP: plainHTTP, handler: handler))
    }

    /// Starts a server whose upgrade decision may wait: it looks a token up in a database, asks
    /// an authorization service, or rate-limits across servers.
    ///
    /// The same as the synchronous `start`, except that `shouldUpgrade` is async. It runs in a
    /// task of its own, preferring the connection's loop: code that does not hop elsewhere
    /// runs there, so it must not block (await instead). Nothing more is read from the client
    /// until it answers, so bytes sent behind the request wait in the socket (beyond the one
    /// read that carried the request), not in memory. A client that resets the connection
    /// meanwhile is noticed at once; one that merely closes its side is noticed when the
    /// decision answers. The connection's
    /// ``WebSocketDriver/WebSocket/Configuration/openTimeout`` bounds the decision: when it
    /// expires first, or the server shuts down, the connection is dropped and the task
    /// cancelled (its answer is then ignored); ``shutdown()`` waits for decisions as it waits
    /// for handlers. A closure without `await` picks the synchronous variant, which costs no
    /// task.
    public static func start(
        configuration: Configuration = Configuration(),
        loops: [EventLoop]? = nil,
        shouldUpgrade: @escaping @Sendable (UpgradeRequest) async -> UpgradeDecision,
        plainHTTP: (@Sendable (PlainRequest) -> PlainResponse)? = nil,
        handler: @escaping @Sendable (WebSocket) async -> Void
    ) throws -> WebSocketServer {
        try start(configuration: configuration, loops: loops,
                  hooks: Session.Hooks(shouldUpgrade: .async(shouldUpgrade), plainHTTP: plainHTTP, handler: handler))
    }

    private static func start(configuration: Configuration, loops: [EventLoop]?, hooks: Session.Hooks) throws -> WebSocketServer {
        if let loops, loops.isEmpty {
            throw WebSocketError(.connection(ConnectionError(.invalidState("start(loops:) needs at least one event loop"))))
        }
        // A limit under 1 would refuse every client with 503: a mistake to report, not to serve.
        if configuration.maxConnections < 1 || (configuration.maxConnectionsPerAddress ?? 1) < 1 {
            throw WebSocketError(.connection(ConnectionError(.invalidState(
                "maxConnections and maxConnectionsPerAddress must be at least 1"))))
        }
        let serving = loops ?? (0..<max(1, configuration.eventLoopCount)).map { EventLoop(name: "ws-server-\($0)") }
        return try WebSocketServer(configuration: configuration, loops: serving, ownsLoops: loops == nil, hooks: hooks)
    }

    private init(
        configuration: Configuration, loops: [EventLoop], ownsLoops: Bool, hooks: Session.Hooks
    ) throws {
        current = Mutex(configuration)
        self.loops = loops
        self.ownsLoops = ownsLoops
        let session: Session
        do {
            session = try Session(configuration: configuration, registry: registry, hooks: hooks)
        } catch {
            if ownsLoops { for loop in loops { loop.syncShutdown() } }
            throw WebSocketError(.connection(ConnectionError(.invalidState(
                "trustedProxies: \(error.entry) is neither an IP address nor a CIDR range"))))
        }
        do throws(TransportError) {
            let tls = try configuration.tls.map { (tls) throws(TransportError) in try TLSContext(server: tls) }
            let proxyProtocol = configuration.proxyProtocol
                ? ProxyProtocolOptions(timeout: configuration.connection.openTimeout, maxPending: configuration.maxConnections)
                : nil
            let accept: @Sendable (Channel) -> Void = { channel in session.accepted(channel) }
            var onFailure: (@Sendable (TransportError) -> Void)?
            if configuration.onEvent != nil {
                onFailure = { error in session.report(.listenerFailure(error), from: nil) }
            }
            if let path = configuration.unixSocketPath {
                listener = try Listener.bind(
                    unixPath: path, permissions: configuration.unixSocketPermissions, backlog: configuration.backlog,
                    tls: tls, proxyProtocol: proxyProtocol, on: loops[0], childLoops: loops, onFailure: onFailure,
                    accept: accept)
            } else {
                listener = try Listener.bind(
                    host: configuration.host, port: configuration.port, backlog: configuration.backlog, tls: tls,
                    proxyProtocol: proxyProtocol, on: loops[0], childLoops: loops, onFailure: onFailure, accept: accept)
            }
        } catch {
            if ownsLoops { for loop in loops { loop.syncShutdown() } }
            throw WebSocketError(.transport(error))
        }
    }

    /// Serves connections accepted from now on with `tls`: a renewed certificate (or a new
    /// key, versions, client authentication, SNI handler) without a restart, e.g. from a
    /// certificate manager's deploy hook:
    ///
    /// ```swift
    /// var tls = server.configuration.tls!
    /// tls.identity = try TLSIdentity(certificateChainFile: "/etc/app/fullchain.pem", privateKeyFile: "/etc/app/privkey.pem")
    /// try server.updateTLS(tls)
    /// ```
    ///
    /// Connections already open, and TLS handshakes under way, keep what they started with.
    /// Sessions of the old configuration are not resumed under the new one (clients do a full
    /// handshake once). Any thread.
    /// - Throws: ``WebSocketError`` (``WebSocketTransport/TransportError/Kind/tlsConfiguration(_:)``)
    ///   when `tls` cannot be used, or when the server was started without TLS (its clients
    ///   speak `ws://`); the server then goes on as it was.
    public func updateTLS(_ tls: TLSServerConfiguration) throws {
        do throws(TransportError) {
            let context = try TLSContext(server: tls)
            // Under the lock, so that concurrent updates leave the listener and `configuration`
            // with the same one.
            try current.withLock { (configuration) throws(TransportError) in
                try listener.replaceTLSContext(context)
                configuration.tls = tls
            }
        } catch {
            throw WebSocketError(.transport(error))
        }
    }

    /// The number of connections currently tracked (handshaking or open).
    public var connectionCount: Int { registry.count }

    /// Stops the server gracefully: stops accepting, sends close 1001 to every connection, and
    /// waits up to the close timeout for the closing handshakes and for the handler tasks (and
    /// async upgrade decisions, which the closing cancels) to return. Then it closes the connections left and cancels the handlers still running
    /// (waiting on something other than their connection), and waits for those up to the
    /// close timeout again: once `shutdown` returns, no handler runs unless it ignored
    /// cancellation for that long.
    ///
    /// Cancelling the task that calls `shutdown` ends both waits at once (connections still
    /// open are closed without their closing handshake, handlers are cancelled).
    public func shutdown() async {
        listener.close()
        for socket in registry.beginShutdown() {
            socket.loop.execute { socket.beginClose(code: .goingAway, reason: "server shutting down") }
        }
        await waitWhile(configuration.connection.closeTimeout) { connectionCount > 0 || registry.taskCount > 0 }
        for socket in registry.sockets {
            socket.loop.execute { socket.forceClose() }
        }
        // A handler starts when its connection opens, so none starts after the force close;
        // cancelling again on each round catches one that started just before it. The
        // force-closed connections leave the registry on their loops (their last events
        // reported before, `onEvent`).
        await waitWhile(configuration.connection.closeTimeout) { registry.cancelTasks() > 0 || connectionCount > 0 }
        if ownsLoops { for loop in loops { loop.syncShutdown() } }
    }

    /// Polls `condition` every 10 ms while it holds, for `timeout` at most or until the
    /// calling task is cancelled.
    private func waitWhile(_ timeout: Duration, _ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while condition(), ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
