import WebSocketCore
import WebSocketFraming
public import WebSocketTransport
import Synchronization

extension WebSocket: ChannelHandler, LoopDeferredWork {
    /// Attaches the channel (on the loop) and starts the opening handshake's timer.
    package func attach(_ channel: Channel) {
        self.channel = channel
        channel.handler = self
        pump()
    }

    public func channelActive(_ channel: Channel) {}

    public func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        defer { noteRead() }
        if messageHandler != nil { return readInPlace(bytes) }
        let credit = inbox.takeCredit()
        if !credit.isEmpty { grant(credit) }
        connection.receive(bytes)
        pump()
    }

    /// After a read: a connection that holds memory sized for a burst releases it once it has
    /// read nothing for ``Configuration/idleMemoryReleaseDelay`` (one timer at a time, re-armed
    /// while reads go on), so that a busy connection reuses it and an idle one keeps none.
    func noteRead() {
        readSinceIdleCheck = true
        guard idleMemoryTimer == nil, !isTransportClosed, retainsBurstMemory else { return }
        readSinceIdleCheck = false
        idleMemoryTimer = loop.scheduleTask(in: configuration.idleMemoryReleaseDelay) { [weak self] in
            self?.idleMemoryCheck()
        }
    }

    /// Whether the Core holds memory sized for a burst (its output, which is also the write
    /// buffer, or the memory gathering split frames).
    var retainsBurstMemory: Bool {
        Self.retains(&connection)
    }

    /// Asks through `inout` on purpose: a getter called on the class's stored `connection` made
    /// the optimiser copy the whole `Connection` (over 800 bytes, a retain and release of each
    /// of its references) around the call, on every read, inlined or not; an `inout` access
    /// reads it in place (fan-in through `handleMessages`: 1.02 → 0.85 µs of user CPU per
    /// message, 6 interleaved runs).
    private static func retains(_ c: inout Connection) -> Bool { c.retainsBurstMemory }

    /// Loop: the idle-memory timer fired; releases the memory unless a read came meanwhile.
    private func idleMemoryCheck() {
        idleMemoryTimer = nil
        guard !readSinceIdleCheck else { return noteRead() }
        connection.releaseIdleMemory()
    }

    public func channelWritable(_ channel: Channel) {
        pump()  // hand over what the Core kept while the channel was over its high-water mark
        guard channel.pendingWriteBytes <= writeHighWaterMark else { return }
        // Resuming only schedules the waiting tasks (nothing here re-enters), so the array is
        // emptied after and keeps its memory for the next wait.
        for waiter in writableWaiters { waiter.finish(.success(())) }
        writableWaiters.removeAll(keepingCapacity: true)
    }

    public func channelEOF(_ channel: Channel) {
        connection.receiveEOF()
        pump()
    }

    public func channelInactive(_ channel: Channel, error: TransportError?) {
        isTransportClosed = true
        transportClosedNanoseconds.store(Self.nanosecondsSinceReference(), ordering: .releasing)
        transportError = transportError ?? error
        self.channel?.handler = nil
        self.channel = nil
        connection.receiveEOF()
        pump()
        finish()
    }

    /// Applies everything the Core produced: events to waiters, bytes to the socket, and the
    /// Core's decisions about closing and timers. The only place the driver reads the Core.
    func pump() {
        repeat {
            while let event = connection.nextEvent() { dispatch(event) }
        } while decodeOnWithFreedCredit()
        if let channel {
            // A peer that does not read fills the socket and then our queue: past the high-water
            // mark the output stays in the Core, where automatic pongs collapse into one, until
            // the channel drains (`channelWritable`); a closing connection hands everything over.
            connection.isOutputBlocked = channel.pendingWriteBytes > writeHighWaterMark
            // (`pendingOutputCount > 0` rather than `hasOutput`: the optimiser copied the whole
            // Connection around that getter call, ~1% of a small-message server's time.)
            if !connection.isOutputBlocked, connection.pendingOutputCount > 0 { scheduleFlush() }
        }
        if connection.shouldCloseTransport {
            flush()
            channel?.closeAfterFlush(lingering: connection.lingersBeforeClosing)
            // Output still queued: a peer that stopped reading would keep the socket (and a
            // server's connection slot) forever; the close timeout ends the wait.
            if channel != nil, closeTimer == nil { armCloseTimer() }
        } else if connection.isCloseExpected, closeTimer == nil {
            armCloseTimer()
        }
        updateReadInterest()
        publishSendGate()
        publishBufferedBytes()
        // The final fragment went out (or the connection closed): the held messages go now.
        if isOutboxHeld, !connection.isSendingFragmentedMessage { drainOutbox() }
    }

    /// Stores whether the Core takes a whole message now in ``sendGate``, if that changed.
    /// Only the loop stores it, so the copy in `publishedSendGate` is exact; the atomics lie
    /// late in the object, in a cache line that a message which changes neither value then
    /// does not touch (one miss less per message with 100 busy connections).
    private func publishSendGate() {
        let open = connection.canSendMessage
        guard open != publishedSendGate else { return }
        publishedSendGate = open
        sendGate.store(open, ordering: .relaxed)
    }

    /// Stores ``pendingWriteBytes`` in ``bufferedBytes`` and whether the channel queues
    /// nothing in ``channelKeepsUp``, each if it changed (as `publishSendGate`).
    func publishBufferedBytes() {
        let bytes = pendingWriteBytes
        if bytes != publishedBufferedBytes {
            publishedBufferedBytes = bytes
            bufferedBytes.store(bytes, ordering: .relaxed)
        }
        // Apart from the total: a write the socket refused whole moves bytes without changing it.
        let keepsUp = (channel?.pendingWriteBytes ?? 0) == 0
        if keepsUp != publishedChannelKeepsUp {
            publishedChannelKeepsUp = keepsUp
            channelKeepsUp.store(keepsUp, ordering: .relaxed)
        }
    }

    /// When the Core paused for lack of message credit: grants what the application freed
    /// meanwhile (true: decode on), or asks the inbox to wake the loop once it frees some.
    private func decodeOnWithFreedCredit() -> Bool {
        guard connection.isInputPaused else { return false }
        let credit = inbox.awaitCredit()
        guard !credit.isEmpty else { return false }
        grant(credit)
        return true
    }

    /// Writes the Core's output once the loop has finished its current round of work, so that
    /// the answers to many messages of one read (or of one task's burst of sends) leave in one
    /// write instead of one system call each. Deferred on the loop's own queue rather than
    /// submitted with `execute`: no closure and no lock per message of a `for try await` echo.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        queueDeferredWork()
        flushScheduled = true
    }

    /// Queues this connection's end-of-round work, unless a flush or a handoff already has:
    /// called before either is set, which is what marks the connection queued.
    private func queueDeferredWork() {
        guard !flushScheduled, pendingHandoff == nil else { return }
        loop.deferToEndOfRound(self)
    }

    /// The end-of-round work: resumes a consumer off the loop that a message was handed to,
    /// and runs the deferred flush (see ``scheduleFlush()``). Each is cleared before it runs,
    /// so that what it leads to may queue the connection again.
    package func runDeferredWork() {
        if let handoff = pendingHandoff {
            pendingHandoff = nil
            handoff.resume()
        }
        guard flushScheduled else { return }
        flushScheduled = false
        flush()
    }

    /// Writes the Core's output now, unless the peer is not reading (see `pump`).
    func flush() {
        guard connection.pendingOutputCount > 0, let channel else { return }
        connection.isOutputBlocked = channel.pendingWriteBytes > writeHighWaterMark
        guard !connection.isOutputBlocked || connection.shouldCloseTransport else { return }
        if connection.hasChunkedOutput {
            // Large payloads leave as the arrays the application sent: one gathered write.
            connection.takeOutput(into: &writeChunks)
            channel.write(contentsOf: writeChunks)
            // Their arrays back to the Core: the next frame header's output buffer and the
            // next large payload's memory, instead of two new arrays per message.
            connection.recycle(writtenChunks: &writeChunks)
        } else {
            // Written from the Core's own array, which the channel empties and keeps when the
            // socket takes everything. A write never calls back into this handler (a failure
            // closes from a loop task), so nothing touches `connection` while it lends it.
            connection.writeOutput { channel.write(reusing: &$0) }
        }
        connection.isOutputBlocked = channel.pendingWriteBytes > writeHighWaterMark
        publishBufferedBytes()
        // The socket may have taken it all (no `channelWritable` to follow): a handler's reads,
        // paused on the output, resume here.
        if messageHandler != nil { updateReadInterest() }
    }

    /// Bytes accepted by `send` but not yet written to the socket.
    var pendingWriteBytes: Int { connection.pendingOutputCount + (channel?.pendingWriteBytes ?? 0) }

    /// Not inlined: the loops that call it run once per message and mostly find no event, and
    /// inlined, the exclusivity checks of the rare events' properties (open, upgrade, close
    /// waiters) ran on every turn of those loops.
    @inline(never)
    func dispatch(_ event: Event) {
        switch event {
        case .open(let info):
            publishOpenInfo(info)
            openTimer?.cancel()
            openTimer = nil
            startKeepalive()
            openWaiter?.resume(returning: info)
            openWaiter = nil
            onOpen?(self)
        case .message(let message):
            deliver(message)
        case .pong(let payload):
            pongDeadline?.cancel()
            pongDeadline = nil
            pongArrived(payload)
        case .closed(let info):
            closed(info)
        case .upgradeRequest(let request):
            if let onUpgradeRequest { onUpgradeRequest(self, request) } else { connection.reject(status: 500) }
        case .plainHTTPRequest(let request):
            if let onPlainHTTPRequest { onPlainHTTPRequest(self, request) } else { connection.reject(status: 500) }
        case .ping, .extensionFrame:
            break
        }
    }

    private func deliver(_ message: Message) {
        guard messageHandler == nil || isDrainingInbox else { return handle(message) }
        guard let handoff = inbox.deliver(message) else { return }
        queueDeferredWork()
        // One consumer parks again only after its handoff resumed it; a second one at once
        // (misuse: "one consumer at a time") must not be left parked either.
        pendingHandoff?.resume()
        pendingHandoff = handoff
    }

    /// Inbound backpressure: the Core stops decoding when the application is
    /// ``Configuration/maxQueuedMessages`` messages or ``Configuration/maxQueuedBytes`` behind
    /// (unless our Close frame is out); then the socket is not read either.
    func updateReadInterest() {
        guard let channel else { return }
        // With a synchronous handler, whose answers are not held back by awaiting, the output
        // is what bounds reading: all of it, the Core's share included (counting only the
        // channel's queue let one wake-up's several reads pile up answers in the Core).
        // While the application decides on an upgrade request (a server's async hook), nothing
        // is read: the frames a client may send behind its request would pile up in the Core.
        let wanted = !connection.isInputPaused && connection.phase != .awaitingUpgradeDecision
            && (messageHandler == nil || pendingWriteBytes <= writeHighWaterMark)
        if channel.isReadEnabled != wanted { channel.isReadEnabled = wanted }
    }

    private func closed(_ info: CloseInfo) {
        finalCloseInfo = info
        stopKeepalive()
        openTimer?.cancel()
        openTimer = nil
        if let waiter = openWaiter {
            openWaiter = nil
            waiter.resume(throwing: openError(info))
        }
        inbox.finish(endOfMessages())
        failPendingPings(WebSocketError(.closed(info)))
        finishHandler()
    }

    /// The error `connect` reports when the connection closed before opening.
    func openError(_ info: CloseInfo) -> WebSocketError {
        if let transportError { return WebSocketError(.transport(transportError)) }
        if let error = info.error { return WebSocketError(.connection(error), response: connection.refusedResponse) }
        return WebSocketError(.closed(info))
    }

    /// How the connection ended, or ends now that its transport is gone: the Core's close, or
    /// 1006 (abnormal closure) when it never saw one.
    var endingCloseInfo: CloseInfo {
        finalCloseInfo ?? connection.closeInfo ??
            CloseInfo(code: .abnormalClosure, reason: "", wasClean: false, error: ConnectionError(.abnormalClosure))
    }

    /// Once the transport is gone: fail every waiter, cancel every timer.
    func finish() {
        closeTimer?.cancel()
        closeTimer = nil
        idleMemoryTimer?.cancel()
        idleMemoryTimer = nil
        stopKeepalive()
        let info = endingCloseInfo
        finalCloseInfo = info
        closed(info)
        let writers = writableWaiters
        writableWaiters.removeAll()
        for waiter in writers { waiter.finish(.failure(WebSocketError(.closed(info)))) }
        let closers = closeWaiters
        closeWaiters.removeAll()
        for waiter in closers { waiter.resume(returning: info) }
        let hook = onFinish
        onFinish = nil
        onOpen = nil
        onUpgradeRequest = nil
        onPlainHTTPRequest = nil
        pendingDecision?.cancel()
        pendingDecision = nil
        hook?(self)
    }

    /// How long a connection that never opened (a refused upgrade, an answered plain request,
    /// a failed handshake) may take to write its response and linger for the peer's close:
    /// a client reads such a short answer at once, and a refused client that does not close
    /// must not hold its connection slot for the whole close timeout (Apache lingers 2 s).
    static let unopenedCloseLimit: Duration = .seconds(2)

    private func armCloseTimer() {
        let timeout = openInfo == nil ? min(configuration.closeTimeout, Self.unopenedCloseLimit) : configuration.closeTimeout
        closeTimer = loop.scheduleTask(in: timeout) { [self] in
            guard !isTransportClosed else { return }
            connection.closeTimedOut()
            pump()
            channel?.close()
        }
    }
}
