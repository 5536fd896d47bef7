public import WebSocketCore
import WebSocketFraming
import WebSocketTransport

extension WebSocket {
    /// The received messages, in order. Iteration ends after a normal closure (1000, 1001, or
    /// no code) and throws ``WebSocketError`` for any other. One consumer at a time: a second
    /// task waiting while one does gets `invalidState`. Cancelling the waiting task throws
    /// `CancellationError` (the connection stays open).
    public var messages: Messages { Messages(socket: self) }

    /// An `AsyncSequence` of received messages with a bounded buffer: while
    /// ``Configuration/maxQueuedMessages`` messages or ``Configuration/maxQueuedBytes`` of their
    /// payloads wait unread, the socket is not read (until `close` sends our Close frame: see
    /// ``WebSocket/close(code:reason:)``).
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = Message
        let socket: WebSocket

        public func makeAsyncIterator() -> Iterator { Iterator(socket: socket) }

        /// The iterator.
        public struct Iterator: AsyncIteratorProtocol {
            @usableFromInline let socket: WebSocket

            init(socket: WebSocket) { self.socket = socket }

            /// The next message; nil once the connection closed normally.
            @inlinable
            public mutating func next() async throws -> Message? { try await socket.nextMessage() }

            /// What `for try await` calls: the same as ``next()``, inlined into the caller so
            /// that the loop takes no executor switch of its own (see ``WebSocket/nextMessage()``).
            @inlinable
            public mutating func next(isolation actor: isolated (any Actor)?) async throws -> Message? {
                try await socket.nextMessage()
            }
        }
    }

    /// Receives the next message; nil once the connection closed normally.
    /// - Throws: ``WebSocketError`` after an abnormal closure, or (`invalidState`) while another
    ///   task waits; `CancellationError` when the task is cancelled while it waits.
    @inlinable
    public func receive() async throws -> Message? { try await nextMessage() }

    /// The next message, or a wait for it.
    ///
    /// Inlinable, as `send`, because of what Swift's runtime does at the entry of every
    /// nonisolated `async` function that is called rather than inlined: a `swift_task_switch`
    /// to the generic executor, which for a task with an executor preference (a server's
    /// handler task on its loop) looks the preference up under the task's status-record lock,
    /// a mutex. The library's entry points, called per message from another module, made four
    /// of those per echoed message (`perf probe`); inlined, the caller's own entry covers them.
    /// What is not the fast path stays behind non-inlinable synchronous calls.
    @inlinable
    func nextMessage() async throws -> Message? {
        if let ready = takeQueuedMessage() { return try ready.get() }
        // Cancelling the waiting task ends the wait with `CancellationError`: a timeout written
        // as a task group racing `receive()` against a sleep must not wait for a message. (The
        // handler costs ~0.2 µs per wait, a status record under the task's lock: 5% of the async
        // fan-in server's rate; a hang is worse. See ANALYSIS.md.)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in parkForMessage(continuation) }
        } onCancel: {
            cancelWaitForMessage()
        }
    }

    /// A queued message or the end of the sequence, taken under the inbox's lock from any
    /// thread (no suspension, no hop onto the loop); nil when the caller must wait.
    @usableFromInline
    func takeQueuedMessage() -> Result<Message?, any Error>? {
        let poll = inbox.poll(onLoop: loop.inEventLoop)
        passOnCredit(poll)
        return poll.result
    }

    /// Parks `continuation` until the loop delivers a message or the end, or resumes it at once
    /// if one arrived meanwhile. The continuation is an unsafe one rather than checked (a
    /// checked continuation allocates per suspension): the inbox resumes each parked
    /// continuation exactly once, under its lock (InboxTests).
    /// A second task waiting while one is parked ("one consumer at a time") is refused at once
    /// with `invalidState`, and the first one keeps waiting.
    @usableFromInline
    func parkForMessage(_ continuation: UnsafeContinuation<Message?, any Error>) {
        passOnCredit(inbox.poll(orPark: continuation, onLoop: loop.inEventLoop))
    }

    /// The task waiting for a message was cancelled: its wait, if it is still parked, ends with
    /// `CancellationError`. With one consumer at a time the parked wait is that task's; a
    /// handed-over message is its to keep. Any thread.
    @usableFromInline
    func cancelWaitForMessage() {
        inbox.cancelWait()
    }

    /// Lets the Core read on past the messages the application finished with: on the loop at
    /// once; off the loop with a loop task, which runs after the sends this task queued before.
    private func passOnCredit(_ poll: Inbox.Poll) {
        if poll.wakeLoop { grantFreedCredit() }
        let credit = poll.creditForLoopTask
        guard !credit.isEmpty else { return }
        loop.execute { [self] in
            grant(credit)
            pump()
        }
    }

    /// On the loop: grants the credit the application freed and decodes on.
    func grantFreedCredit() {
        let credit = inbox.takeCredit()
        guard !credit.isEmpty else { return }
        grant(credit)
        pump()
    }

    /// Loop: gives the Core back the messages and payload bytes the application finished with.
    func grant(_ credit: Inbox.Credit) {
        connection.grantMessageCredit(credit.messages, bytes: credit.bytes)
    }

    /// The end of the message sequence: nil after a normal closure (1000, 1001, or no code),
    /// an error otherwise.
    func endOfMessages() -> Result<Message?, any Error> {
        guard let info = finalCloseInfo else { return .success(nil) }
        let normal: [CloseCode] = [.normalClosure, .goingAway, .noStatusReceived]
        if info.error == nil && normal.contains(info.code) { return .success(nil) }
        return .failure(WebSocketError(.closed(info)))
    }
}
