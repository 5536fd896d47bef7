public import WebSocketCore
import WebSocketFraming
import WebSocketTransport

extension WebSocket {
    /// The received messages, in order. Iteration ends after a normal closure (1000, 1001, or
    /// no code) and throws ``WebSocketError`` for any other. One consumer at a time.
    public var messages: Messages { Messages(socket: self) }

    /// An `AsyncSequence` of received messages with a bounded buffer: while
    /// ``Configuration/maxQueuedMessages`` wait unread, the socket is not read.
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
        // A task running on the loop (e.g. a server handler) takes a queued message without
        // suspending: no continuation, no thread hop.
        if loop.inEventLoop, let ready = pollMessage() { return try ready.get() }
        return try await withCheckedThrowingContinuation { continuation in
            loop.execute { [self] in
                if let ready = pollMessage() { return continuation.resume(with: ready) }
                messageWaiter = continuation
            }
        }
    }

    /// On the loop: lets the Core read on past what the application finished with, then returns
    /// a queued message or the end of the sequence, or nil when the caller must wait.
    private func pollMessage() -> Result<Message?, any Error>? {
        if deliveredSinceRequest > 0 {
            connection.grantMessageCredit(deliveredSinceRequest)
            deliveredSinceRequest = 0
            pump()
        }
        if let message = inbound.popFirst() {
            deliveredSinceRequest += 1
            return .success(message)
        }
        return finalCloseInfo == nil ? nil : endOfMessages()
    }

    /// Ends an iteration.
    func resumeAtEnd(_ continuation: CheckedContinuation<Message?, any Error>) {
        continuation.resume(with: endOfMessages())
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
