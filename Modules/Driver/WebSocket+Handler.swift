import Synchronization
public import WebSocketCore
import WebSocketFraming
import WebSocketTransport

extension WebSocket {
    /// Handles every received message with `handler`, called synchronously on the connection's
    /// event loop as each message is decoded, with the payload borrowed from the loop's read
    /// buffer (or, for a frame split across reads, from memory the connection reuses): no
    /// copy, no allocation, no task switch per message. Returns once the connection
    /// has closed. The fastest way to serve messages; ``messages`` is the convenient one.
    ///
    /// ```swift
    /// try await ws.handleMessages { message in
    ///     try ws.sendNow(message)   // an echo: the payload is copied into the output once
    /// }
    /// ```
    ///
    /// The handler runs on the loop thread: it must not block, and it answers with the
    /// synchronous ``sendNow(_:allowsCompression:)-(BorrowedMessage,_)``. `message.bytes` is valid
    /// only during the call (copy with `message.message` to keep it). Messages that were
    /// already queued for ``messages`` are handled first, in order. Read-ahead is not limited by
    /// ``Configuration/maxQueuedMessages`` or ``Configuration/maxQueuedBytes`` here (each
    /// message is handled as it is decoded);
    /// instead the socket is not read while the output is over ``Configuration/writeHighWaterMark``.
    ///
    /// Because reads pause on the output, two peers that both stop reading while they cannot
    /// write can wait for each other when more is in flight than their buffers hold (e.g. a
    /// client keeping 64 messages of 1 MiB in flight): raise the high-water mark to the window
    /// the application keeps in flight.
    ///
    /// If `handler` throws, the connection closes with 1011 (internal error), later messages are
    /// dropped, and `handleMessages` rethrows the error once the connection has closed.
    ///
    /// Cancelling the calling task removes the handler and throws `CancellationError`; the
    /// connection stays open and later messages queue for ``messages`` again.
    /// - Parameter handler: called with each message, in order.
    /// - Throws: the handler's error; ``WebSocketError`` after an abnormal closure, as
    ///   ``messages`` does; ``WebSocketError`` if messages are already being handled;
    ///   `CancellationError` when the calling task is cancelled.
    public func handleMessages(_ handler: @escaping @Sendable (BorrowedMessage) throws -> Void) async throws {
        let call = HandlerCall()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if loop.inEventLoop {
                    installHandler(handler, call, continuation)
                } else {
                    // A stopped loop closed the connection: end as `messages` ends.
                    submit({ [self] in installHandler(handler, call, continuation) }) {
                        continuation.resume(with: endOfMessages().map { _ in () })
                    }
                }
            }
        } onCancel: {
            call.isCancelled.store(true, ordering: .relaxed)
            // A stopped loop ended the call already (`finish`).
            submit({ [self] in cancelHandler(call) }) {}
        }
    }

    /// One ``handleMessages(_:)`` call, for its cancellation, which may come before the loop
    /// installed its handler (the installation then ends the call at once).
    final class HandlerCall: Sendable {
        let isCancelled = Atomic<Bool>(false)
    }

    /// Loop: the task in `call` was cancelled. Its handler is removed, later messages queue for
    /// ``messages`` again (with the read-ahead of a new connection: the handler finished every
    /// message it got), and `handleMessages` throws `CancellationError`; or, when the handler
    /// had thrown (the connection is closing with 1011), that error at once. Nothing once the
    /// call has ended.
    func cancelHandler(_ call: HandlerCall) {
        guard let waiter = handlerWaiter, handlerCall === call else { return }
        handlerWaiter = nil
        handlerCall = nil
        messageHandler = nil
        if let handlerError { return waiter.resume(throwing: handlerError) }
        let credit = inbox.restart()
        connection.grantMessageCredit(credit.messages, bytes: credit.bytes)
        waiter.resume(throwing: CancellationError())
        pump()
    }

    /// On the loop only (a ``handleMessages(_:)`` handler, or a task on the loop's executor):
    /// sends a borrowed message now, copying its payload into the output.
    /// - Throws: ``WebSocketError`` when called off the loop or the connection is not open.
    public func sendNow(_ message: BorrowedMessage, allowsCompression: Bool = true) throws {
        try requireLoop()
        try perform(pumps: !isReadingInPlace) { (c: inout Connection) throws(ConnectionError) in
            try c.send(message, allowsCompression: allowsCompression)
        }
    }

    /// On the loop only: sends a message now, without waiting for backpressure (see
    /// ``sendNow(_:allowsCompression:)-(BorrowedMessage,_)``).
    /// - Throws: ``WebSocketError`` when called off the loop or the connection is not open.
    public func sendNow(_ message: Message, allowsCompression: Bool = true) throws {
        try requireLoop()
        try perform(pumps: !isReadingInPlace) { (c: inout Connection) throws(ConnectionError) in
            try c.send(message, allowsCompression: allowsCompression)
        }
    }

    private func requireLoop() throws {
        guard loop.inEventLoop else {
            throw WebSocketError(.connection(ConnectionError(.invalidState("sendNow must be called on the connection's event loop"))))
        }
    }

    private func installHandler(
        _ handler: @escaping @Sendable (BorrowedMessage) throws -> Void, _ call: HandlerCall,
        _ continuation: CheckedContinuation<Void, any Error>
    ) {
        guard handlerWaiter == nil else {
            let error = ConnectionError(.invalidState("handleMessages is already running on this connection"))
            return continuation.resume(throwing: WebSocketError(.connection(error)))
        }
        guard !call.isCancelled.load(ordering: .relaxed) else { return continuation.resume(throwing: CancellationError()) }
        messageHandler = handler
        handlerWaiter = continuation
        handlerCall = call
        // Messages decoded before the handler existed, in order. Handling them frees credit, so
        // the Core may decode more meanwhile: those join the queue behind them (`deliver`).
        isDrainingInbox = true
        while case .success(let message?)? = inbox.poll(onLoop: true).result {
            handle(message)
        }
        isDrainingInbox = false
        // Each message is finished when its handler call returns: no credit to count.
        connection.grantMessageCredit(nil)
        if finalCloseInfo != nil { finishHandler() }
        pump()
    }

    /// Loop: the read path while a handler is installed. The read buffer belongs to the loop
    /// and is reused for the next read, so payloads are unmasked where they lie
    /// (``WebSocketTransport/ChannelHandler/channelRead(_:_:)`` lets a handler overwrite it).
    func readInPlace(_ bytes: UnsafeRawBufferPointer) {
        let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
        var offset = 0
        isReadingInPlace = true
        repeat {
            let message = connection.receiveBorrowing(buffer, offset: &offset)
            while let event = connection.nextEvent() { dispatch(event) }  // they came before it
            if let message { handle(message) }
        } while offset < buffer.count
        isReadingInPlace = false
        // The answers to this read leave now, in one write: a loop task to flush them later
        // would cost more than it gathers (each connection gets one read per wake-up under
        // many connections; a stream's read is up to 256 KiB of answers already).
        flush()
        pump()
    }

    /// Loop: one message to the handler; a throwing handler ends handling with a 1011 close.
    func handle(_ message: BorrowedMessage) {
        guard let messageHandler else { return }
        do {
            try messageHandler(message)
        } catch {
            handlerError = error
            self.messageHandler = nil
            // Nobody takes later messages: none is queued (no credit), and once our Close is out
            // they are decoded only to find the peer's Close, then dropped.
            connection.grantMessageCredit(0)
            try? connection.close(code: .internalError, reason: "")
        }
    }

    /// Loop: an assembled message to the handler, borrowed from its own array. A large one
    /// (longer than a read) lends the array too, which sending or keeping it then shares. A
    /// smaller one is sent by copy, like the messages read in place: handing its array to the
    /// output as a chunk of its own would cost the output buffer its storage (a new allocation
    /// per message; the 64 KiB stream went from 1.76 to 0.3 allocations per echo).
    func handle(_ message: Message) {
        let storage = message.data.count > EventLoop.readBufferSize ? message.data : nil
        message.data.withUnsafeBytes { handle(BorrowedMessage(kind: message.kind, bytes: $0, storage: storage)) }
    }

    /// Loop: the messages ended (the connection closed); `handleMessages` returns or throws.
    func finishHandler() {
        guard let waiter = handlerWaiter else { return }
        handlerWaiter = nil
        handlerCall = nil
        messageHandler = nil
        if let handlerError {
            waiter.resume(throwing: handlerError)
        } else {
            waiter.resume(with: endOfMessages().map { _ in () })
        }
    }
}
