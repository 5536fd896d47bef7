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
        try await withCheckedThrowingContinuation { continuation in
            loop.execute { [self] in
                // The application is done with what it was given: let the Core read on.
                if deliveredSinceRequest > 0 {
                    connection.grantMessageCredit(deliveredSinceRequest)
                    deliveredSinceRequest = 0
                    pump()
                }
                if let message = inbound.popFirst() {
                    deliveredSinceRequest += 1
                    return continuation.resume(returning: message)
                }
                if finalCloseInfo != nil { return resumeAtEnd(continuation) }
                messageWaiter = continuation
            }
        }
    }

    /// Ends an iteration: nil for a normal closure, an error otherwise.
    func resumeAtEnd(_ continuation: CheckedContinuation<Message?, any Error>) {
        guard let info = finalCloseInfo else { return continuation.resume(returning: nil) }
        let normal: [CloseCode] = [.normalClosure, .goingAway, .noStatusReceived]
        if info.error == nil && normal.contains(info.code) {
            continuation.resume(returning: nil)
        } else {
            continuation.resume(throwing: WebSocketError(.closed(info)))
        }
    }
}
