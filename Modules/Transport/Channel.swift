/// A connected, non-blocking TCP socket registered with one ``EventLoop``.
///
/// All members must be used on ``loop``'s thread (from a ``ChannelHandler`` callback, a task
/// given to ``EventLoop/execute(_:)``, or an actor running on the loop), except the `let`
/// properties. Writes never block: what the socket does not take at once waits in a queue
/// (``pendingWriteBytes``) that the loop flushes when the socket is writable.
public final class Channel: @unchecked Sendable {
    enum State {
        /// Created (accepted or connected) but not yet registered with the loop.
        case pending
        case active
        case closed
    }

    /// Reads per readiness report before the loop serves the other channels (fairness).
    static let maxReadsPerWakeup = 16

    /// The loop that owns this channel and runs its handler.
    public let loop: EventLoop

    // Loop-confined state, touched for every read and write. Release builds skip Swift's
    // dynamic exclusivity checks on it (`@exclusivity(unchecked)`): only the loop thread
    // touches it, and with the driver's such properties the checks were about a quarter of a
    // server's user-space time with 100 connections (A/B, 5 interleaved runs: fan-in through
    // `handleMessages` 156 k → 166 k messages/s, stream 16 B through `for try await`
    // 589 k → 661 k). Debug builds, and so the tests and the sanitizer runs, keep the checks:
    // an overlapping access still traps where it is tested.
    #if DEBUG
    /// Receives this channel's events; dropped after ``ChannelHandler/channelInactive(_:error:)``.
    /// Set it before the channel becomes active (in the `accept` callback of
    /// ``Listener/bind(host:port:backlog:reusePort:on:childLoops:accept:)``).
    public var handler: (any ChannelHandler)?
    var socket: Socket
    var state = State.pending
    var interest: Interest = []
    /// Removed from the poller after a hang-up while reads were disabled (see `handleHangup`).
    var suspended = false
    var writeQueue = WriteQueue()
    var readEnabled = true
    /// Whether the loop will update this channel's poller interest before its next poll.
    var isResyncScheduled = false
    var inputClosed = false
    var outputClosed = false
    var closeWhenFlushed = false
    var shutdownWhenFlushed = false
    /// A lingering ``closeAfterFlush(lingering:)``: close once the peer's EOF is read.
    var closesAtEOF = false
    /// A write failed with this error; the channel closes with it on the next loop iteration.
    var failure: TransportError?
    #else
    /// Receives this channel's events; dropped after ``ChannelHandler/channelInactive(_:error:)``.
    /// Set it before the channel becomes active (in the `accept` callback of
    /// ``Listener/bind(host:port:backlog:reusePort:on:childLoops:accept:)``).
    @exclusivity(unchecked) public var handler: (any ChannelHandler)?
    @exclusivity(unchecked) var socket: Socket
    @exclusivity(unchecked) var state = State.pending
    @exclusivity(unchecked) var interest: Interest = []
    /// Removed from the poller after a hang-up while reads were disabled (see `handleHangup`).
    @exclusivity(unchecked) var suspended = false
    @exclusivity(unchecked) var writeQueue = WriteQueue()
    @exclusivity(unchecked) var readEnabled = true
    /// Whether the loop will update this channel's poller interest before its next poll.
    @exclusivity(unchecked) var isResyncScheduled = false
    @exclusivity(unchecked) var inputClosed = false
    @exclusivity(unchecked) var outputClosed = false
    @exclusivity(unchecked) var closeWhenFlushed = false
    @exclusivity(unchecked) var shutdownWhenFlushed = false
    /// A lingering ``closeAfterFlush(lingering:)``: close once the peer's EOF is read.
    @exclusivity(unchecked) var closesAtEOF = false
    /// A write failed with this error; the channel closes with it on the next loop iteration.
    @exclusivity(unchecked) var failure: TransportError?
    #endif
    /// The TLS layer between the socket and the handler; nil for plain TCP, which then pays one
    /// nil check per read and write.
    let tls: TLSLayer?
    var registrationID: UInt64 = 0
    // The addresses come after the state that every read and write
    // touches, which so spans fewer cache lines: with 100 connections on one loop, the first
    // loads of a channel's state were among the hottest instructions of the fan-in profile.
    /// The peer's address.
    public let remoteAddress: SocketAddress?
    /// Our address.
    public let localAddress: SocketAddress?
    /// The PROXY protocol header the connection started with, when its listener reads one
    /// (``Listener``'s `proxyProtocol`): the client it names is ``remoteAddress``; its TLVs
    /// are here. Nil for other channels.
    public let proxyHeader: ProxyHeader?

    init(
        loop: EventLoop, socket: consuming Socket, remoteAddress: SocketAddress?, localAddress: SocketAddress?,
        tls: TLSLayer? = nil, proxyHeader: ProxyHeader? = nil
    ) {
        self.loop = loop
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.tls = tls
        self.proxyHeader = proxyHeader
    }

    /// Whether the channel is registered and not closed.
    public var isActive: Bool { state == .active }

    /// Whether the channel is closed (``ChannelHandler/channelInactive(_:error:)`` has fired).
    public var isClosed: Bool { state == .closed }

    /// Bytes accepted by ``write(_:)`` that the socket has not taken yet (with TLS: records not
    /// sent yet, plus plaintext waiting for the handshake). Compare with a high-water mark for
    /// backpressure; ``ChannelHandler/channelWritable(_:)`` fires when it drops back to 0.
    public var pendingWriteBytes: Int { writeQueue.byteCount + (tls?.pendingByteCount ?? 0) }

    /// Whether the loop reads from the socket. Set to false to stop reading (inbound
    /// backpressure: the kernel buffer fills, then TCP flow control slows the peer); set back to
    /// true to resume. Default: true.
    ///
    /// Disabling takes effect at once for this channel's reads; the poller hears of it only at
    /// the end of the loop's turn, so a handler that pauses reading for a burst and catches up
    /// within the same turn (the usual case with message credit) costs no `epoll_ctl` at all.
    public var isReadEnabled: Bool {
        get { readEnabled }
        set {
            guard newValue != readEnabled else { return }
            readEnabled = newValue
            if newValue {
                updateInterest()  // nothing to do if the pause never reached the poller
                if tls != nil { resumeBufferedPlaintext() }
            } else if !isResyncScheduled {
                isResyncScheduled = true
                loop.channelsToResync.append(self)
            }
        }
    }

    /// The peer's address for error messages.
    var endpoint: String { remoteAddress?.description ?? "peer" }

    // MARK: Closing

    /// Closes the socket now, discarding unwritten bytes, and fires
    /// ``ChannelHandler/channelInactive(_:error:)`` (with a nil error) before returning.
    /// With TLS, a `close_notify` alert goes out first if the socket takes it at once.
    /// Idempotent.
    public func close() {
        if let tls { sendCloseNotifyBestEffort(tls) }
        close(error: nil)
    }

    /// Stops accepting writes and closes once the queued bytes are written (at once if none).
    /// With TLS, our `close_notify` follows the data (RFC 8446 §6.1); plaintext written before
    /// the handshake completed is sent first.
    ///
    /// Lingering (as HTTP servers close, RFC 9112 §9.6): once the bytes are written the channel
    /// half-closes (``shutdownWrite()``), reads on (to the handler, as before) and closes at
    /// the peer's EOF. Closing with the peer's bytes unread makes the kernel answer with a
    /// reset, which discards what it has not sent yet. The caller bounds the wait (`close()`).
    /// - Parameter lingering: whether to wait for the peer's EOF after the half-close.
    public func closeAfterFlush(lingering: Bool = false) {
        guard state != .closed else { return }
        if lingering && !inputClosed {
            closesAtEOF = true
            return shutdownWrite()
        }
        if let tls {
            if tls.isEstablished {
                sendCloseNotify(tls)
            } else if tls.hasPendingPlaintext {
                closeWhenFlushed = true
                return
            }
        }
        if writeQueue.isEmpty && failure == nil {
            close()
        } else {
            closeWhenFlushed = true
        }
    }

    /// Sends FIN once the queued bytes are written: the peer reads EOF; we can still read.
    /// With TLS, `close_notify` precedes the FIN (RFC 8446 §6.1 allows half-closure).
    /// Later writes are ignored.
    public func shutdownWrite() {
        guard state != .closed, !outputClosed else { return }
        if let tls {
            if tls.isEstablished {
                sendCloseNotify(tls)
            } else if tls.hasPendingPlaintext {
                shutdownWhenFlushed = true
                return
            }
        }
        if writeQueue.isEmpty {
            performShutdownWrite()
        } else {
            shutdownWhenFlushed = true
        }
    }

    func performShutdownWrite() {
        outputClosed = true
        shutdownWhenFlushed = false
        // ENOTCONN when the peer already reset: the read side reports that.
        try? socket.shutdownWrite()
    }

    /// Closes with `error` (nil: orderly, unless a write failed before). Idempotent.
    func close(error: TransportError?) {
        guard state != .closed else { return }
        let error = error ?? failure
        state = .closed
        if registrationID != 0 {
            loop.deregister(registrationID, descriptor: socket.descriptor, interest: suspended ? [] : interest)
            registrationID = 0
        }
        socket.close()
        writeQueue.removeAll()
        let completion = tls?.takeCompletion()
        let handler = self.handler
        self.handler = nil
        handler?.channelInactive(self, error: error)
        completion?(self, error ?? TransportError(.closed, endpoint: endpoint))
    }

    /// Our `close_notify` in one attempt, whatever the outcome: for an abortive ``close()``.
    private func sendCloseNotifyBestEffort(_ tls: TLSLayer) {
        guard state == .active, tls.isEstablished, !tls.session.sentCloseNotify, failure == nil,
              writeQueue.isEmpty, !outputClosed else { return }
        tls.session.shutdown()
        _ = socket.send(tls.session.takeCiphertext())
    }

    /// Registers with the loop and fires ``ChannelHandler/channelActive(_:)`` — with TLS, starts
    /// the handshake, and `channelActive` fires once it completed. Loop thread.
    func activate() {
        guard state == .pending else { return }
        state = .active
        let wanted = wantedInterest
        do {
            registrationID = try loop.register(self, descriptor: socket.descriptor, interest: wanted)
            interest = wanted
        } catch {
            close(error: error)
            return
        }
        if let tls {
            advanceHandshake(tls)
        } else {
            handler?.channelActive(self)
        }
    }
}
