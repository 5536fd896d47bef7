public import WebSocketCore
import WebSocketTransport
public import WebSocketFraming
import Synchronization

extension WebSocket {
    /// Sends a message; suspends while the write buffer is over the high-water mark.
    ///
    /// Messages leave in the order of the `send` calls that returned. Called off the loop, `send`
    /// queues the message for the loop and returns without waiting for it (no thread hop per
    /// message). If the connection starts closing between that check and the loop's turn (the
    /// peer's close frame crossing the message), the message is dropped, as a browser drops a
    /// message sent while closing (WHATWG WebSockets, `send()`), and ``closed()`` reports how
    /// the connection ended. While a fragmented message of ours is under way
    /// (``sendFragment(_:opcode:isFinal:)``), a whole message is refused with
    /// ``WebSocketCore/ConnectionError/Kind/fragmentSequence`` (RFC 6455 §5.4); one queued off
    /// the loop just as that message began is not lost: it leaves after the final fragment
    /// (unless the connection starts closing first, as for any message racing a close).
    /// - Parameters:
    ///   - message: the message.
    ///   - allowsCompression: `false` for data that does not compress.
    /// - Throws: ``WebSocketError`` when the connection is not open; `CancellationError` when
    ///   the task is cancelled while it waits for the peer to read (the message was queued
    ///   before the wait and is not withdrawn).
    @inlinable
    public func send(_ message: Message, allowsCompression: Bool = true) async throws {
        // Inlinable with the fast path behind one synchronous call, for the reason given at
        // ``nextMessage()`` (an executor switch at the entry of each called async function).
        // The common case returns before any await. The slow path waits in the inlined
        // `WritableWaiter.wait()` rather than in a called async function: after a call Swift
        // hops back to the generic executor where the paths join (in an echo, the caller's
        // loop), so every message paid for it; after a continuation the hop stays on the
        // resumed path.
        let progress = try startSend(message, allowsCompression: allowsCompression)
        if progress == .done { return }
        let waiter = WritableWaiter()
        finishSend(message, progress, allowsCompression: allowsCompression, waiter)
        try await waiter.wait()
    }

    /// The rest of a `send` that ``startSend(_:allowsCompression:)`` could not complete: ends
    /// `waiter`'s wait once the message went to the Core (``SendProgress/needsLoop``) and the
    /// output is under the high-water mark, or with the error (see
    /// ``resumeWhenWritable(_:after:)``).
    @usableFromInline
    func finishSend(
        _ message: Message, _ progress: SendProgress, allowsCompression: Bool, _ waiter: WritableWaiter
    ) {
        guard progress == .needsLoop else { return resumeWhenWritable(waiter) }
        resumeWhenWritable(waiter) { ws in
            try ws.perform { (c: inout Connection) throws(ConnectionError) in try c.send(message, allowsCompression: allowsCompression) }
        }
    }

    /// What ``startSend(_:allowsCompression:)`` left to do.
    @usableFromInline
    enum SendProgress: Sendable {
        /// Sent (on the loop) or queued for the loop, under the high-water mark.
        case done
        /// Sent or queued; the caller waits until the output drains below the mark.
        case mustWait
        /// Not open, closing, or a fragmented message under way: the loop says which error.
        case needsLoop
    }

    /// The synchronous part of `send`: on the loop the message goes to the Core at once (no
    /// hop, no closure allocation) and backpressure is checked in place; off the loop it is
    /// queued for the loop while the connection takes whole messages (``sendGate``), and the
    /// sender waits by the loop's rule (`mustWaitUntilWritable`) as the loop last published
    /// it: over the mark, unless the socket takes everything and at most ``roundWriteBatch``
    /// bytes are pending (without that, each message over the mark, e.g. 64 KiB under the
    /// default, cost the sender a suspension and a trip through the loop).
    @usableFromInline
    func startSend(_ message: Message, allowsCompression: Bool) throws -> SendProgress {
        if loop.inEventLoop {
            try perform { (c: inout Connection) throws(ConnectionError) in try c.send(message, allowsCompression: allowsCompression) }
            return mustWaitUntilWritable() ? .mustWait : .done
        }
        guard sendGate.load(ordering: .relaxed) else { return .needsLoop }
        try queueOnLoop(message, allowsCompression: allowsCompression)
        let pending = unsentBytes.load(ordering: .relaxed) + bufferedBytes.load(ordering: .relaxed)
        if pending <= writeHighWaterMark { return .done }
        return pending <= Self.roundWriteBatch && channelKeepsUp.load(ordering: .relaxed) ? .done : .mustWait
    }

    /// Off the loop: hands `message` to the loop without waiting (see ``send(_:allowsCompression:)``),
    /// through the ``outbox``: the first message of a batch schedules the loop task that takes
    /// them all. A loop that stopped takes no drain task: the queued messages can never leave,
    /// so they are dropped and the sender hears ``TransportError/Kind/eventLoopShutdown``
    /// rather than a success (the loop's shutdown also closes the connection, so later sends
    /// fail at ``sendGate``; this covers a send racing that shutdown).
    private func queueOnLoop(_ message: Message, allowsCompression: Bool) throws {
        unsentBytes.add(message.data.count, ordering: .relaxed)
        guard outbox.append(message, allowsCompression: allowsCompression) else { return }
        guard loop.tryExecute({ [self] in drainOutbox() }) else {
            unsentBytes.subtract(outbox.discardAll(), ordering: .relaxed)
            throw Self.loopShutdownError
        }
    }

    /// Loop: hands the off-loop sends queued so far to the Core, in order, then pumps once.
    ///
    /// While a fragmented message of ours is under way the queued messages stay in the outbox
    /// (``isOutboxHeld``) until its final fragment, when ``pump()`` drains them: their senders
    /// saw ``sendGate`` open before that message began and have returned, so a refusal by the
    /// Core (`fragmentSequence`) would lose them silently.
    func drainOutbox() {
        isOutboxHeld = connection.isSendingFragmentedMessage
        if isOutboxHeld { return }
        outbox.take(into: &outboxBatch)
        var size = 0
        for outgoing in outboxBatch {
            size += outgoing.message.data.count
            // A failure means the connection began closing after the sender's check; the close
            // itself is what the application hears about (`closed()`, `messages`).
            try? connection.send(outgoing.message, allowsCompression: outgoing.allowsCompression)
        }
        // The two arrays trade places at each drain; each keeps room for a usual batch only,
        // so a connection past a burst holds at most ~3 KiB for it.
        outboxBatch.removeAll(keepingCapacity: outboxBatch.capacity <= Self.outboxCapacityKept)
        unsentBytes.subtract(size, ordering: .relaxed)
        pump()
    }

    /// The most messages' room a drained batch array keeps (see ``drainOutbox()``).
    static let outboxCapacityKept = 64

    /// Sends text.
    @inlinable
    public func send(text: String) async throws { try await send(.text(text)) }

    /// Sends binary data.
    @inlinable
    public func send(binary: [UInt8]) async throws { try await send(.binary(binary)) }

    /// Sends one fragment of a message (see ``WebSocketCore/Connection/sendFragment(_:opcode:isFinal:allowsCompression:)``);
    /// suspends while the write buffer is over the high-water mark, as ``send(_:allowsCompression:)``.
    ///
    /// Until the final fragment (`isFinal: true`) the message is under way and whole messages
    /// are refused (`fragmentSequence`), also after a cancelled wait: finish the message or
    /// close the connection.
    /// - Throws: ``WebSocketError`` when the connection is not open or the fragment is out of
    ///   sequence; `CancellationError` when the task is cancelled while it waits (the fragment
    ///   was queued before the wait).
    public func sendFragment(_ payload: [UInt8], opcode: Opcode, isFinal: Bool) async throws {
        try await onLoop { ws in try ws.perform { (c: inout Connection) throws(ConnectionError) in try c.sendFragment(payload, opcode: opcode, isFinal: isFinal) } }
        try await waitUntilWritable()
    }

    /// Sends a ping (RFC 6455 §5.5.2) without waiting for its pong (``pingRoundTrip(_:timeout:)`` waits).
    public func ping(_ payload: [UInt8] = []) async throws {
        try await onLoop { ws in
            try ws.perform { (c: inout Connection) throws(ConnectionError) in try c.ping(payload) }
            ws.notePlainPing(payload)
        }
    }

    /// Closes the connection (RFC 6455 §7.1.2) and waits until the transport is closed.
    ///
    /// The socket is read on to the peer's Close whatever the application left unread; messages
    /// still queued stay readable from ``messages``, and data messages arriving past
    /// ``Configuration/maxQueuedMessages`` (or ``Configuration/maxQueuedBytes``) from here on
    /// are dropped.
    /// - Parameters:
    ///   - code: the close code; 1000 by default.
    ///   - reason: at most 123 bytes of UTF-8.
    /// - Returns: how the connection ended.
    /// - Throws: ``WebSocketError``: `.closed` when the connection had already closed,
    ///   ``TransportError/Kind/eventLoopShutdown`` when its event loop has stopped (the
    ///   loop's shutdown closed it: ``closed()`` says how).
    @discardableResult
    public func close(code: CloseCode = .normalClosure, reason: String = "") async throws -> CloseInfo {
        try await onLoop { ws in try ws.perform { (c: inout Connection) throws(ConnectionError) in try c.close(code: code, reason: reason) } }
        return await closed()
    }

    /// Waits until the connection and its transport are closed; returns how it ended.
    ///
    /// Not cancellable (it has no error to end with): once a close began the close timeout
    /// bounds the wait; before, only the peer's close or a failure ends it (the keepalive,
    /// ``Configuration/pingInterval``, fails a peer that stopped answering). To give up on a
    /// connection, ``close(code:reason:)`` it.
    public func closed() async -> CloseInfo {
        await withCheckedContinuation { continuation in
            submit({ [self] in
                if isTransportClosed, let info = finalCloseInfo {
                    continuation.resume(returning: info)
                } else {
                    closeWaiters.append(continuation)
                }
            }) {
                // The loop's shutdown closed the connection first (1006, unless it had ended).
                continuation.resume(returning: endingCloseInfo)
            }
        }
    }

    /// Runs a Core command on the loop and applies its output.
    /// - Parameters:
    ///   - pumps: false when the caller pumps right after anyway (a handler inside `readInPlace`).
    func perform(pumps: Bool = true, _ command: (inout Connection) throws(ConnectionError) -> Void) throws {
        do {
            try command(&connection)
        } catch {
            pump()
            if let info = finalCloseInfo ?? connection.closeInfo, error.kind == .notOpen {
                throw WebSocketError(.closed(info))
            }
            throw WebSocketError(.connection(error))
        }
        if pumps { pump() }
    }

    /// Outbound backpressure: returns once the pending bytes are under the high-water mark.
    ///
    /// On the loop (a server's handler task, a client's task on the loop's executor) the waiter
    /// is registered in place: no loop task and no closure to allocate (two allocations and a
    /// loop round per large message in the 64 KiB async echo). Cancelling the task ends the
    /// wait with `CancellationError` (``WritableWaiter``).
    func waitUntilWritable() async throws {
        if loop.inEventLoop {
            guard mustWaitUntilWritable() else { return }
            let waiter = WritableWaiter()
            addWritableWaiter(waiter)
            return try await waiter.wait()
        }
        let waiter = WritableWaiter()
        resumeWhenWritable(waiter)
        try await waiter.wait()
    }

    /// On the loop (at once when called there, else from a loop task): runs `first`, then ends
    /// `waiter`'s wait once the output is under the high-water mark (at once, or when it
    /// leaves `writableWaiters`: `channelWritable`, `finish`); with `first`'s error, or with
    /// ``TransportError/Kind/eventLoopShutdown`` if the loop has stopped.
    private func resumeWhenWritable(_ waiter: WritableWaiter, after first: (@Sendable (WebSocket) throws -> Void)? = nil) {
        let resume: @Sendable (WebSocket) -> Void = { ws in
            do {
                try first?(ws)
            } catch {
                return waiter.finish(.failure(error))
            }
            // A wait cancelled before this loop task ran has ended: nothing to add.
            guard !waiter.isFinished else { return }
            if ws.mustWaitUntilWritable() { ws.addWritableWaiter(waiter) } else { waiter.finish(.success(())) }
        }
        if loop.inEventLoop { return resume(self) }
        submit({ [self] in resume(self) }) { waiter.finish(.failure(Self.loopShutdownError)) }
    }

    /// Loop: adds a waiter for the output to drain. Waits that ended by cancellation stay in
    /// the list until the channel drains; when it reaches ``writableWaitersSweep`` entries the
    /// ended ones are dropped and the next sweep is set at twice what is left (at least 64):
    /// amortized O(1) per wait, and a task that retries a send on a timeout against a peer
    /// that never reads does not grow the list without bound.
    private func addWritableWaiter(_ waiter: WritableWaiter) {
        if writableWaiters.count >= writableWaitersSweep {
            writableWaiters.removeAll { $0.isFinished }
            writableWaitersSweep = max(64, 2 * writableWaiters.count)
        }
        writableWaiters.append(waiter)
    }

    /// Loop: whether a sender must wait for the channel to drain. Over the high-water mark, the
    /// output is flushed first; then it waits if it is still over and the channel is open.
    ///
    /// Except while the socket takes everything it is given (the channel queues nothing) and
    /// the Core holds at most ``roundWriteBatch`` bytes: those wait for the flush at the end of
    /// the loop's round, which writes the round's sends together. Flushing here at once made a
    /// message at or over the mark (a 64 KiB echo under the 64 KiB default) one system call
    /// of its own, and on loopback each write also wakes the reader: the `for try await`
    /// 64 KiB echo spent 52 µs of system CPU per message against the handler path's 31
    /// (which writes a read's answers together), 0.81x the raw TCP floor against 1.16x.
    private func mustWaitUntilWritable() -> Bool {
        guard pendingWriteBytes > writeHighWaterMark else { return false }
        if let channel, channel.pendingWriteBytes == 0, connection.pendingOutputCount <= Self.roundWriteBatch {
            return false
        }
        flush()
        return channel != nil && pendingWriteBytes > writeHighWaterMark
    }

    /// How many bytes of a round's sends the Core may hold past the high-water mark for the
    /// end-of-round flush while the socket keeps up (see `mustWaitUntilWritable`): a socket
    /// read's worth, as the handler path's answers to one read.
    static let roundWriteBatch = 256 * 1024
}
