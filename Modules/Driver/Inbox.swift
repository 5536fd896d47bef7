import Synchronization
import WebSocketCore

/// The received messages on their way from the loop (producer) to the application (consumer).
///
/// Shared under a lock rather than confined to the loop, so that an application task running on
/// any thread takes a queued message without a hop onto the loop: a client reading a burst of
/// echoes pays one uncontended lock per message instead of a loop wake-up and a task switch.
/// The loop is involved only when the consumer has to wait (the loop resumes it) and when the
/// Core paused for lack of message credit (the consumer wakes the loop to grant it).
///
/// Credit follows the Core's rule (``WebSocketCore/Connection/grantMessageCredit(_:)``): a
/// message counts against the read-ahead until the application asks for the one after it.
final class Inbox: Sendable {
    private struct State: ~Copyable {
        var queue = MessageQueue()
        var waiter: UnsafeContinuation<Message?, any Error>?
        /// The message the application holds (it has not asked for the next one yet).
        var delivered = 0
        /// Messages the application finished with, not yet granted to the Core as credit.
        var finished = 0
        /// The loop's Core stopped decoding for lack of credit: the next finished message must
        /// wake the loop.
        var loopAwaitsCredit = false
        /// How the sequence ends, once the connection closed.
        var end: Result<Message?, any Error>?
    }

    private let state = Mutex(State())
    /// Finished messages that make waking the loop worth it while more are queued: half the
    /// read-ahead, so that a busy consumer wakes the loop once per batch, not per message.
    private let creditBatch: Int

    /// Creates an inbox for a read-ahead of `maxQueuedMessages`.
    init(maxQueuedMessages: Int) {
        creditBatch = max(1, maxQueuedMessages / 2)
    }

    /// What ``poll()`` found.
    struct Poll {
        /// The next message or the end of the sequence; nil when the caller must wait.
        var result: Result<Message?, any Error>?
        /// Credit was freed while the loop waits for it: the caller must wake the loop.
        var wakeLoop: Bool
    }

    /// Consumer: takes the next message or the end of the sequence, if there is one.
    func poll() -> Poll {
        state.withLock { state in self.poll(&state) }
    }

    /// Consumer: takes the next message or the end, or else parks `continuation` until the loop
    /// delivers one (checked under the same lock, so no delivery slips between the two).
    /// - Returns: whether the caller must wake the loop to grant credit.
    func poll(orPark continuation: UnsafeContinuation<Message?, any Error>) -> Bool {
        let (found, wake) = state.withLock { state -> (Result<Message?, any Error>?, Bool) in
            let poll = self.poll(&state)
            if poll.result == nil { state.waiter = continuation }
            return (poll.result, poll.wakeLoop)
        }
        if let found { continuation.resume(with: found) }
        return wake
    }

    private func poll(_ state: inout State) -> Poll {
        state.finished += state.delivered
        state.delivered = 0
        let message = state.queue.popFirst()
        // Wake a waiting loop once a batch of credit is free, or at once when the queue ran dry
        // (the consumer is about to wait for what the loop has not decoded yet).
        let wake = state.loopAwaitsCredit && state.finished > 0
            && (state.finished >= creditBatch || state.queue.isEmpty)
        if wake { state.loopAwaitsCredit = false }
        if let message {
            state.delivered = 1
            return Poll(result: .success(message), wakeLoop: wake)
        }
        return Poll(result: state.end, wakeLoop: wake)
    }

    /// Loop: hands `message` to a waiting consumer, or queues it.
    func deliver(_ message: Message) {
        let waiter = state.withLock { state -> UnsafeContinuation<Message?, any Error>? in
            guard let waiter = state.waiter else {
                state.queue.append(message)
                return nil
            }
            state.waiter = nil
            state.delivered = 1
            return waiter
        }
        waiter?.resume(returning: message)
    }

    /// Loop: the credit freed since the last call (messages the application finished with).
    func takeCredit() -> Int {
        state.withLock { state in
            defer { state.finished = 0 }
            return state.finished
        }
    }

    /// Loop, when the Core paused for lack of credit: the credit freed so far, or 0 after
    /// asking the consumer to wake the loop when it frees some.
    func awaitCredit() -> Int {
        state.withLock { state in
            guard state.finished == 0 else {
                defer { state.finished = 0 }
                return state.finished
            }
            state.loopAwaitsCredit = true
            return 0
        }
    }

    /// Loop: the connection closed; the consumer gets `end` once the queue is empty.
    func finish(_ end: Result<Message?, any Error>) {
        let waiter = state.withLock { state -> UnsafeContinuation<Message?, any Error>? in
            state.end = end
            guard state.queue.isEmpty, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(with: end)
    }
}
