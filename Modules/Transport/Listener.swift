import Synchronization

/// A listening TCP socket (or Unix domain socket: ``bind(unixPath:permissions:backlog:tls:proxyProtocol:on:childLoops:onFailure:accept:)``)
/// that accepts connections on an ``EventLoop``.
///
/// Each accepted socket becomes a non-blocking, `TCP_NODELAY` ``Channel`` on one of the child
/// loops (round-robin), is passed to the `accept` callback on that loop — where the callback
/// sets ``Channel/handler`` — and then becomes active: ``ChannelHandler/channelActive(_:)``
/// fires and reading starts.
public final class Listener: @unchecked Sendable {
    enum State {
        case starting, listening, paused, closed
    }

    /// Accepts per readiness report, so one busy listener does not starve the loop's channels.
    static let maxAcceptsPerWakeup = 64
    /// How long accepting pauses when the process or system is out of descriptors or memory
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): the pending connection stays in the backlog,
    /// and a level-triggered poller would otherwise report it in a busy loop.
    static let pauseAfterFailure: Duration = .milliseconds(100)

    /// The loop that accepts.
    public let loop: EventLoop
    /// The bound address, with the port the system picked when 0 was asked for.
    public let localAddress: SocketAddress

    private let childLoops: [EventLoop]
    private let accept: @Sendable (Channel) -> Void
    /// Told of what the listener handles by itself (``bind(host:port:backlog:reusePort:tls:proxyProtocol:on:childLoops:onFailure:accept:)``).
    private let onFailure: (@Sendable (TransportError) -> Void)?
    /// The server context every accepted connection does its TLS handshake with; nil for TCP.
    /// Read at each accept, on the accepting loop or a PROXY header's reader's loop, and
    /// replaced by ``replaceTLSContext(_:)`` from any thread.
    private let tls: Mutex<TLSContext?>
    /// Whether every connection starts with a PROXY protocol header, and how long it may take.
    private let proxyProtocol: ProxyProtocolOptions?
    /// Connections whose PROXY protocol header is still being read.
    private let pendingHeaders = Atomic<Int>(0)
    private var socket: Socket
    private let descriptor: Int32
    private var state = State.starting
    private var registrationID: UInt64 = 0
    private var nextChild = 0
    private var resumeTimer: Scheduled?
    /// Signals ``close()`` callers on other threads; guards `closed`.
    private let closeLock = Lock()
    private var closed = false
    /// A Unix socket's file, removed on close.
    private let unixSocketFile: UnixSocketFile?
    /// The descriptor of a Unix socket's lock file (``UnixSocketFile``), closed on close; -1.
    private let unixSocketLock: Int32

    init(
        loop: EventLoop, socket: consuming Socket, localAddress: SocketAddress,
        childLoops: [EventLoop], tls: TLSContext?, proxyProtocol: ProxyProtocolOptions?,
        unixSocketFile: UnixSocketFile? = nil, unixSocketLock: Int32 = -1,
        onFailure: (@Sendable (TransportError) -> Void)? = nil, accept: @escaping @Sendable (Channel) -> Void
    ) {
        self.onFailure = onFailure
        self.unixSocketFile = unixSocketFile
        self.unixSocketLock = unixSocketLock
        self.tls = Mutex(tls)
        self.proxyProtocol = proxyProtocol
        self.loop = loop
        self.descriptor = socket.descriptor
        self.socket = socket
        self.localAddress = localAddress
        self.childLoops = childLoops.isEmpty ? [loop] : childLoops
        self.accept = accept
    }

    /// Binds `host:port` with `SO_REUSEADDR`, listens, and starts accepting on `loop`.
    ///
    /// `host` is resolved (blocking, so prefer a numeric address such as `0.0.0.0`, `::`,
    /// `127.0.0.1` or `::1`); the addresses are tried in order and the first that binds is used.
    /// Callable from any thread.
    /// - Parameters:
    ///   - host: the address to bind.
    ///   - port: the port; 0 lets the system pick a free one, reported by ``localAddress``.
    ///   - backlog: the kernel's queue of connections not yet accepted.
    ///   - reusePort: set `SO_REUSEPORT`, so that several listeners share the port.
    ///   - tls: a server ``TLSContext``: each accepted channel does the TLS handshake first, its
    ///     handler gets ``ChannelHandler/channelActive(_:)`` once it completed and sees only
    ///     plaintext; a failed handshake reports ``ChannelHandler/channelInactive(_:error:)``
    ///     alone. The listener sets no handshake timeout: the handler arms its own. Nil: TCP.
    ///   - proxyProtocol: every connection starts with a PROXY protocol header (``ProxyHeader``)
    ///     from a load balancer, read before the channel exists (and before its TLS handshake):
    ///     the channel's ``Channel/remoteAddress`` is the client it names, and the header is its
    ///     ``Channel/proxyHeader``. A connection without
    ///     a valid header in time is dropped. Nil: connections are the clients themselves.
    ///   - loop: the loop that accepts.
    ///   - childLoops: the loops the accepted channels belong to, round-robin; nil: `loop`.
    ///   - onFailure: told, on the loop concerned, of what the listener handles by itself, for
    ///     logs: an `accept` that failed for want of resources (`.system`: `EMFILE`, `ENFILE`,
    ///     `ENOBUFS`, `ENOMEM`, after which accepting pauses for 100 ms), and a connection
    ///     dropped for its PROXY protocol header (`.proxy`: missing, invalid or late, the
    ///     connection closed before it, or too many awaited at once), and one dropped because
    ///     its TLS session could not be made (`.tls`, out of memory). Keep it short.
    ///   - accept: called on the channel's own loop with each new channel; set its handler here.
    /// - Throws: ``TransportError`` — `.resolution`, `.addressInUse`, `.eventLoopShutdown`,
    ///   `.system`; `.tlsConfiguration` for a client TLS context.
    /// - Returns: the listener; keep it to ``close()`` it.
    public static func bind(
        host: String, port: Int, backlog: Int = 511, reusePort: Bool = false, tls: TLSContext? = nil,
        proxyProtocol: ProxyProtocolOptions? = nil, on loop: EventLoop, childLoops: [EventLoop]? = nil,
        onFailure: (@Sendable (TransportError) -> Void)? = nil, accept: @escaping @Sendable (Channel) -> Void
    ) throws(TransportError) -> Listener {
        if let tls, tls.role != .server {
            throw TransportError(.tlsConfiguration("a listener needs a server TLS context"))
        }
        var lastError = TransportError(.resolution(host: host, message: "no address"))
        for address in try SocketAddress.resolve(host: host, port: port) {
            do {
                let socket = try open(address, backlog: backlog, reusePort: reusePort)
                let local = socket.localAddress ?? address
                let listener = Listener(
                    loop: loop, socket: socket, localAddress: local, childLoops: childLoops ?? [loop], tls: tls,
                    proxyProtocol: proxyProtocol, onFailure: onFailure, accept: accept
                )
                try listener.start()
                return listener
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func open(_ address: SocketAddress, backlog: Int, reusePort: Bool) throws(TransportError) -> Socket {
        let socket = try Socket(family: address.family)
        try socket.setReuseAddress()
        if reusePort { try socket.setReusePort() }
        try socket.bind(to: address)
        try socket.listen(backlog: backlog)
        return socket
    }

    func start() throws(TransportError) {
        if loop.inEventLoop {
            register()
        } else if !loop.tryExecute({ [self] in register() }) {
            closeNow()
            throw TransportError(.eventLoopShutdown)
        }
    }

    private func register() {
        guard state == .starting else { return }
        do {
            registrationID = try loop.register(self, descriptor: descriptor, interest: [.read])
            state = .listening
        } catch {
            closeNow()
        }
    }

    /// Stops accepting and closes the listening socket (a Unix socket's file is removed);
    /// accepted channels stay open. Idempotent; any thread. Off the loop it waits until the loop has closed the socket, so
    /// the port is free when it returns.
    public func close() {
        if loop.inEventLoop {
            closeNow()
        } else if loop.tryExecute({ [self] in closeNow() }) {
            closeLock.wait { closed }
        }
    }

    private func closeNow() {
        guard state != .closed else { return }
        state = .closed
        resumeTimer?.cancel()
        resumeTimer = nil
        if registrationID != 0 {
            loop.deregister(registrationID, descriptor: descriptor, interest: [.read])
            registrationID = 0
        }
        // The file goes before the socket, and the lock last: a listener that takes the path
        // over after this finds neither.
        unixSocketFile?.remove()
        socket.close()
        if unixSocketLock >= 0 { Syscall.close(unixSocketLock) }
        closeLock.withLockBroadcasting { closed = true }
    }
}

extension Listener: Selectable {
    func handleEvent(_ event: PollEvent) {
        for _ in 0..<Self.maxAcceptsPerWakeup where state == .listening {
            switch socket.accept() {
            case .success(.wouldBlock):
                return
            case .success(.processed(let (accepted, peer))):
                hand(Socket(adopting: accepted), from: peer)
            case .failure(let error):
                switch Self.reaction(to: error) {
                case .next: continue
                case .pause:
                    report(.system("accept", error, endpoint: localAddress.description))
                    pause()
                    return
                }
            }
        }
    }

    /// What a failed `accept` calls for.
    enum AcceptReaction: Equatable {
        /// That connection is gone; the next may be fine.
        case next
        /// Stop accepting for ``pauseAfterFailure`` (resources ran out, or the listener itself
        /// failed): the backlog stays, and a level-triggered poller would report it in a loop.
        case pause
    }

    /// accept(2): "Linux accept() passes already-pending network errors on the new socket as an
    /// error code from accept() ... For reliable operation the application should detect the
    /// network errors defined for the protocol after accept() and treat them like EAGAIN by
    /// retrying" (ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP,
    /// ENETUNREACH); so is a connection aborted before it was accepted (ECONNABORTED) or refused
    /// by a firewall rule (EPERM). Those end one connection, not the listener; anything else
    /// pauses accepting.
    static func reaction(to error: Errno) -> AcceptReaction {
        Errno.acceptErrorsOfOneConnection.contains(error.rawValue) ? .next : .pause
    }

    func loopWillShutDown() {
        closeNow()
    }

    /// Configures an accepted socket and hands it to its loop.
    private func hand(_ accepted: consuming Socket, from peer: SocketAddress?) {
        if localAddress.family != .unix { try? accepted.setNoDelay() }
        // Darwin has no MSG_NOSIGNAL: without SO_NOSIGPIPE a write to a reset peer raises
        // SIGPIPE and ends the process. The option fails (EINVAL) on a socket the peer already
        // reset, which is then dropped like a failed accept. (A no-op elsewhere.)
        guard (try? accepted.setNoSignalPipe()) != nil else { return }
        let child = childLoops[nextChild % childLoops.count]
        nextChild &+= 1
        guard let proxyProtocol else { return open(accepted, remoteAddress: peer, on: child) }
        // Connections still sending their header count against the limit, so that clients
        // that never send one cannot hold descriptors without bound.
        guard pendingHeaders.add(1, ordering: .relaxed).newValue <= proxyProtocol.maxPending else {
            pendingHeaders.subtract(1, ordering: .relaxed)
            return report(TransportError(
                .proxy("dropped: \(proxyProtocol.maxPending) connections were awaiting their PROXY protocol header"),
                endpoint: peer?.description))
        }
        let reader = ProxyHeaderReader(listener: self, socket: accepted, peer: peer, loop: child, timeout: proxyProtocol.timeout)
        if child === loop { reader.start() } else { child.execute { reader.start() } }
    }

    /// Tells ``onFailure`` of `error`. Any loop.
    func report(_ error: TransportError) {
        onFailure?(error)
    }

    /// Gives connections accepted from now on `context` for their TLS handshake instead of
    /// the one they had: a renewed certificate without closing the listener. Connections
    /// accepted before, their handshakes included, keep the context they started with.
    /// Any thread.
    /// - Throws: `.tlsConfiguration` for a client context, or when the listener serves plain
    ///   TCP (its clients do not expect TLS).
    public func replaceTLSContext(_ context: TLSContext) throws(TransportError) {
        guard context.role == .server else {
            throw TransportError(.tlsConfiguration("a listener needs a server TLS context"))
        }
        try tls.withLock { (current) throws(TransportError) in
            guard current != nil else {
                throw TransportError(.tlsConfiguration("the listener serves plain TCP: it cannot start TLS"))
            }
            current = context
        }
    }

    /// A ``ProxyHeaderReader`` is done.
    func headerReadEnded() {
        pendingHeaders.subtract(1, ordering: .relaxed)
    }

    /// Whether ``close()`` ran: a header read that ends after it opens no channel.
    var isClosed: Bool { closeLock.withLock { closed } }

    /// Makes an accepted socket a channel of `child` and starts it: the TLS layer, the accept
    /// callback, activation.
    func open(_ accepted: consuming Socket, remoteAddress: SocketAddress?, proxyHeader: ProxyHeader? = nil, on child: EventLoop) {
        let local = accepted.localAddress
        var layer: TLSLayer?
        if let tls = tls.withLock({ $0 }) {
            // Without a session (out of memory) the connection is dropped, like a failed accept.
            let session: TLSSession
            do {
                session = try TLSSession(context: tls)
            } catch {
                return report(error)
            }
            layer = TLSLayer(session: session)
        }
        let channel = Channel(
            loop: child, socket: accepted, remoteAddress: remoteAddress, localAddress: local, tls: layer, proxyHeader: proxyHeader)
        let accept = self.accept
        if child.inEventLoop {
            accept(channel)
            channel.activate()
        } else {
            // If the child loop has stopped, the channel is dropped and its socket closed.
            child.execute {
                accept(channel)
                channel.activate()
            }
        }
    }

    private func pause() {
        guard state == .listening else { return }
        state = .paused
        try? loop.reregister(registrationID, descriptor: descriptor, from: [.read], to: [])
        resumeTimer = loop.scheduleTask(in: Self.pauseAfterFailure) { [self] in resume() }
    }

    private func resume() {
        guard state == .paused else { return }
        do {
            try loop.reregister(registrationID, descriptor: descriptor, from: [], to: [.read])
            state = .listening
        } catch {
            closeNow()
        }
    }
}
