public import WebSocketCore
import WebSocketFraming
import WebSocketTransport

extension WebSocket {
    /// The received messages, in order. Iteration ends after a normal closure (1000, 1001, or
    /// no code) and throws ``WebSocketError`` for any other. One consumer at a time.
    public var messages: Messages { Messages(socket: self) }

    /// An `AsyncSequence` of received messages with a bounded buffer: while
    /// ``Configuration/maxQueuedMessages`` wait unread, the socket is not read (until `close`
    /// sends our Close frame: see ``WebSocket/close(code:reason:)``).
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = Message
        let socket: WebSocket

        public func makeAsyncIterator() -> Iterator { Iterator(socket: socket) }

        /// The iterator.
        public struct Iterator: AsyncIteratorProtocol {
            let socket: WebSocket
            public mutating func next() async throws -> Message? { try await socket.nextMessage() }
        }
    }

    /// Receives the next message; nil once the connection closed normally.
    public func receive() async throws -> Message? { try await nextMessage() }

    func nextMessage() async throws -> Message? {
        // A queued message is taken under the inbox's lock, from any thread: no suspension, no
        // hop onto the loop.
        let onLoop = loop.inEventLoop
        let poll = inbox.poll(onLoop: onLoop)
        passOnCredit(poll)
        if let ready = poll.result { return try ready.get() }
        // Unsafe rather than checked: a checked continuation allocates per suspension, and the
        // inbox resumes each parked continuation exactly once, under its lock (InboxTests).
        return try await withUnsafeThrowingContinuation { continuation in
            passOnCredit(inbox.poll(orPark: continuation, onLoop: onLoop))
        }
    }

    /// Lets the Core read on past the messages the application finished with: on the loop at
    /// once; off the loop with a loop task, which runs after the sends this task queued before.
    private func passOnCredit(_ poll: Inbox.Poll) {
        if poll.wakeLoop { grantFreedCredit() }
        let credit = poll.creditForLoopTask
        guard credit > 0 else { return }
        loop.execute { [self] in
            connection.grantMessageCredit(credit)
            pump()
        }
    }

    /// On the loop: grants the credit the application freed and decodes on.
    func grantFreedCredit() {
        let credit = inbox.takeCredit()
        guard credit > 0 else { return }
        connection.grantMessageCredit(credit)
        pump()
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
