/// A connect in progress: races non-blocking `connect`s over the resolved addresses
/// (``AddressRace``, RFC 8305's Happy Eyeballs: the next address starts when the last attempt
/// has had the attempt delay or one fails; the first to connect wins), then opens the tunnel through a proxy if there is one (``ProxyNegotiation``), then runs the
/// TLS handshake if asked, under one deadline on the loop's timer. Everything after
/// ``start(_:)`` runs on the loop.
final class ConnectAttempt: Selectable, @unchecked Sendable {
    typealias Continuation = CheckedContinuation<Result<Channel, TransportError>, Never>

    private let loop: EventLoop
    /// The addresses still to try, and the delay between attempts.
    private var race: AddressRace
    /// The TCP connects in flight, until one wins.
    private var pending: [PendingConnect] = []
    /// Starts the next address's connect when the attempts in flight have had their delay.
    private var nextAttemptTimer: Scheduled?
    private let endpoint: String
    private let timeoutNanoseconds: UInt64
    /// The client context and the connect host, for a TLS connection.
    private let tls: (context: TLSContext, host: String)?
    private var handler: (any ChannelHandler)?
    /// The connected channel while its TLS handshake runs.
    private var handshaking: Channel?
    /// The exchange with the proxy when the addresses are a proxy's; nil for a direct connection.
    private var tunnel: (any ProxyNegotiation)?
    /// What the exchange gave to write and is not written yet; the proxy is read once it all is.
    private var tunnelOutgoing: [UInt8] = []
    /// How much of ``tunnelOutgoing`` is written.
    private var tunnelWritten = 0
    /// Whether TCP is up and the tunnel's exchange runs.
    private var isTunneling = false
    /// What the registration listens for: the connect's writability, then the tunnel's bytes.
    private var interest: Interest = [.write]

    private var continuation: Continuation?
    /// The winner's socket, from TCP up until the channel takes it.
    private var socket: Socket?
    /// The descriptor of ``socket``, -1 when there is none.
    private var descriptor: Int32 = -1
    /// Set by ``cancel()``, which may run before ``start(_:)`` reaches the loop.
    private var cancelled = false
    private var current: SocketAddress?
    private var registrationID: UInt64 = 0
    private var timer: Scheduled?
    private var lastError: TransportError?

    init(
        loop: EventLoop, addresses: [SocketAddress], endpoint: String, timeoutNanoseconds: UInt64,
        attemptDelay: Duration = AddressRace.defaultAttemptDelay,
        tls: (context: TLSContext, host: String)? = nil, tunnel: (any ProxyNegotiation)? = nil, handler: any ChannelHandler
    ) {
        self.loop = loop
        self.tunnel = tunnel
        race = AddressRace(addresses: addresses, attemptDelay: attemptDelay)
        self.endpoint = endpoint
        self.timeoutNanoseconds = timeoutNanoseconds
        self.tls = tls
        self.handler = handler
    }

    /// Hands the attempt to the loop; `continuation` is resumed exactly once.
    func start(_ continuation: Continuation) {
        let accepted = loop.tryExecute { [self] in
            guard !cancelled else {
                return continuation.resume(returning: .failure(TransportError(.cancelled, endpoint: endpoint)))
            }
            self.continuation = continuation
            timer = loop.scheduleTask(in: .nanoseconds(Int64(clamping: timeoutNanoseconds))) { [self] in
                finish(.failure(TransportError(.connectTimeout, endpoint: endpoint)))
            }
            startNextAttempt()
        }
        if !accepted { continuation.resume(returning: .failure(TransportError(.eventLoopShutdown))) }
    }

    /// Abandons the attempt (task cancellation). Any thread.
    func cancel() {
        loop.execute { [self] in
            cancelled = true
            finish(.failure(TransportError(.cancelled, endpoint: endpoint)))
        }
    }

    /// Starts the next address's connect (RFC 8305 §5), and the one after at once if it fails
    /// at once. With no address left and nothing in flight, the attempt fails with the last
    /// error.
    private func startNextAttempt() {
        nextAttemptTimer?.cancel()
        nextAttemptTimer = nil
        guard continuation != nil else { return }
        // RFC 8305 §5: "a subsequent connection MUST NOT be started within 10 milliseconds of
        // the previous attempt", after a failure too.
        let wait = race.hasNext ? race.nanosecondsBeforeNextStart(at: Syscall.monotonicNanoseconds()) : 0
        if wait > 0 { return scheduleNextAttempt(in: wait) }
        while continuation != nil, let address = race.takeNext() {
            do {
                let fresh = try Socket(family: address.family)
                if address.family != .unix { try fresh.setNoDelay() }
                let connected = try fresh.connect(to: address)
                race.noteStart(at: Syscall.monotonicNanoseconds())
                let attempt = PendingConnect(socket: fresh, address: address)
                if connected { return won(attempt) }
                attempt.registrationID = try loop.register(self, descriptor: attempt.descriptor, interest: [.write])
                pending.append(attempt)
                if race.hasNext { scheduleNextAttempt(in: race.attemptDelayNanoseconds) }
                return
            } catch {
                lastError = error.at(address.description)
                // A loop shutting down takes no registration: no more SYNs for nothing.
                if error.kind == .eventLoopShutdown { return finish(.failure(error)) }
            }
        }
        guard pending.isEmpty else { return }
        finish(.failure(lastError ?? TransportError(.resolution(host: endpoint, message: "no address"))))
    }

    /// Arms the Next Connection Attempt Timer (RFC 8305 §5) for `nanoseconds` from now: the
    /// attempts in flight go on; the next address starts beside them.
    private func scheduleNextAttempt(in nanoseconds: UInt64) {
        nextAttemptTimer = loop.scheduleTask(in: .nanoseconds(Int64(clamping: nanoseconds))) { [self] in
            nextAttemptTimer = nil
            startNextAttempt()
        }
    }

    func handleEvent(_ event: PollEvent) {
        guard continuation != nil else { return }
        if isTunneling {
            guard event.id == registrationID else { return }
            return advanceTunnel(event)
        }
        guard let attempt = pending.first(where: { $0.registrationID == event.id }) else { return }
        let failure: Errno?
        do {
            failure = try Syscall.pendingError(attempt.descriptor)
        } catch {
            failure = error.errno ?? .badDescriptor
        }
        guard let failure else { return won(attempt) }
        lastError = .system("connect", failure, endpoint: attempt.address.description)
        drop(attempt)
        startNextAttempt()
    }

    /// `attempt` connected first: RFC 8305 §5, "Once one of the connection attempts succeeds
    /// (generally when the TCP handshake completes), all other connections attempts that have
    /// not yet succeeded SHOULD be canceled." Its socket becomes the connection's.
    private func won(_ attempt: PendingConnect) {
        nextAttemptTimer?.cancel()
        nextAttemptTimer = nil
        for other in pending where other !== attempt { drop(other) }
        pending.removeAll()
        current = attempt.address
        descriptor = attempt.descriptor
        registrationID = attempt.registrationID
        interest = [.write]
        socket = attempt.socket.take()
        tcpConnected()
    }

    /// Closes `attempt`'s socket and forgets it.
    private func drop(_ attempt: PendingConnect) {
        if attempt.registrationID != 0 {
            loop.deregister(attempt.registrationID, descriptor: attempt.descriptor, interest: [.write])
            attempt.registrationID = 0
        }
        attempt.socket = nil
        pending.removeAll { $0 === attempt }
    }

    func loopWillShutDown() {
        finish(.failure(TransportError(.eventLoopShutdown, endpoint: endpoint)))
    }

    /// TCP is up: through a proxy the tunnel is opened first (its first message written at
    /// once), else the channel starts.
    private func tcpConnected() {
        guard tunnel != nil else { return succeed() }
        isTunneling = true
        tunnelOutgoing = tunnel?.takeOutgoing() ?? []
        advanceTunnel(PollEvent(id: registrationID, writable: true))
    }

    /// One step of the exchange with the proxy: writes what it gave, then reads the proxy's
    /// answer, which may give more to write (SOCKS5's authentication, then its request); the
    /// channel starts once the proxy switched to tunnel mode.
    private func advanceTunnel(_ event: PollEvent) {
        do throws(TransportError) {
            guard var tunnel else { return }
            var event = event
            while true {
                if tunnelWritten < tunnelOutgoing.count {
                    guard event.writable || event.error || event.hangup else { return }
                    try writeTunnelOutgoing()
                }
                let wanted: Interest = tunnelWritten < tunnelOutgoing.count ? [.write] : [.read]
                if wanted != interest || registrationID == 0 { try listen(for: wanted) }
                guard wanted == [.read], event.readable || event.error || event.hangup else { return }
                let progress = try readTunnelAnswer(&tunnel)
                self.tunnel = tunnel
                if progress == .opened { return succeed() }
                // The answer asked for more (the next step's bytes, now in `tunnelOutgoing`), or
                // nothing has come yet. What is left unread is not lost: the poller is
                // level-triggered, so the next turn reports the socket readable again.
                guard progress == .answered else { return }
                event = PollEvent(id: registrationID, writable: true)
            }
        } catch {
            finish(.failure(error))
        }
    }

    /// Registers for `wanted`, or changes the registration to it.
    private func listen(for wanted: Interest) throws(TransportError) {
        if registrationID == 0 {
            registrationID = try loop.register(self, descriptor: descriptor, interest: wanted)
        } else {
            try loop.reregister(registrationID, descriptor: descriptor, from: interest, to: wanted)
        }
        interest = wanted
    }

    private func writeTunnelOutgoing() throws(TransportError) {
        while tunnelWritten < tunnelOutgoing.count {
            let result = tunnelOutgoing[tunnelWritten...].withUnsafeBytes { bytes in
                Result { () throws(TransportError) in try Syscall.send(descriptor, bytes) }
            }
            switch try result.get() {
            case .processed(let count): tunnelWritten += count
            case .wouldBlock: return
            }
        }
    }

    /// What a read of the proxy's answer came to.
    private enum TunnelProgress {
        /// Nothing more to read for now.
        case waiting
        /// The exchange has more to write before it reads again.
        case answered
        /// The tunnel is open.
        case opened
    }

    /// Reads what the proxy sent, until the socket is drained, the tunnel opened, or the
    /// exchange has something to write (then nothing more is read: a proxy waits for it).
    private func readTunnelAnswer(_ tunnel: inout any ProxyNegotiation) throws(TransportError) -> TunnelProgress {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let result = buffer.withUnsafeMutableBytes { bytes in
                Result { () throws(TransportError) in try Syscall.receive(descriptor, into: bytes) }
            }
            switch try result.get() {
            case .wouldBlock: return .waiting
            case .processed(0): throw tunnel.closedEarlyError
            case .processed(let count):
                let opened = buffer.withUnsafeBytes { bytes in
                    Result { () throws(TransportError) in try tunnel.receive(UnsafeRawBufferPointer(rebasing: bytes.prefix(count))) }
                }
                if try opened.get() { return .opened }
                tunnelOutgoing = tunnel.takeOutgoing()
                tunnelWritten = 0
                if !tunnelOutgoing.isEmpty { return .answered }
            }
        }
    }

    /// Turns the connected socket into an active channel and returns it to the caller.
    private func succeed() {
        if registrationID != 0 {
            loop.deregister(registrationID, descriptor: descriptor, interest: interest)
            registrationID = 0
        }
        guard let connected = socket.take() else { return startNextAttempt() }
        descriptor = -1
        let local = connected.localAddress
        guard let tls else {
            let channel = Channel(loop: loop, socket: connected, remoteAddress: current, localAddress: local)
            channel.handler = handler
            channel.activate()
            return finish(.success(channel))
        }
        let session: TLSSession
        do {
            session = try TLSSession(context: tls.context, serverName: tls.host)
        } catch {
            return finish(.failure(error.at(current?.description ?? endpoint)))
        }
        let layer = TLSLayer(session: session) { [self] channel, error in handshakeFinished(channel, error) }
        let channel = Channel(loop: loop, socket: connected, remoteAddress: current, localAddress: local, tls: layer)
        handshaking = channel
        channel.activate()
    }

    /// The TLS handshake's outcome: the handler takes over the channel, or the attempt fails.
    private func handshakeFinished(_ channel: Channel, _ error: TransportError?) {
        handshaking = nil
        guard continuation != nil else { return channel.close() }
        if let error { return finish(.failure(error)) }
        channel.handler = handler
        handler?.channelActive(channel)
        finish(.success(channel))
    }

    private func dropSocket() {
        if registrationID != 0 {
            loop.deregister(registrationID, descriptor: descriptor, interest: interest)
            registrationID = 0
        }
        socket = nil
        descriptor = -1
        current = nil
    }

    /// Resumes the caller once; closes whatever is still open.
    private func finish(_ result: Result<Channel, TransportError>) {
        guard let continuation else { return }
        self.continuation = nil
        timer?.cancel()
        timer = nil
        nextAttemptTimer?.cancel()
        nextAttemptTimer = nil
        for attempt in pending { drop(attempt) }
        dropSocket()
        handler = nil
        let abandoned = handshaking
        handshaking = nil
        abandoned?.close()
        continuation.resume(returning: result)
    }
}
