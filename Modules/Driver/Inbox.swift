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
/// Credit follows the Core's rule (``WebSocketCore/Connection/grantMessageCredit(_:bytes:)``): a
/// message (and its payload's bytes) counts against the read-ahead until the application asks
/// for the one after it; and
/// credit freed off the loop reaches the Core only through a loop task queued behind that
/// consumer's own sends, so a reply always leaves before a later frame can fail the connection.
final class Inbox: Sendable {
    /// Message credit the application freed: messages and their payload bytes, as the Core
    /// counts them (``WebSocketCore/Connection/grantMessageCredit(_:bytes:)``).
    struct Credit: Equatable {
        var messages = 0
        var bytes = 0

        /// The credit of one message with `message`'s payload.
        init(of message: Message) {
            messages = 1
            bytes = message.data.count
        }

        init(messages: Int = 0, bytes: Int = 0) {
            self.messages = messages
            self.bytes = bytes
        }

        /// Whether no message was freed (a message may have no bytes).
        var isEmpty: Bool { messages == 0 }

        static func += (lhs: inout Credit, rhs: Credit) {
            lhs.messages += rhs.messages
            lhs.bytes += rhs.bytes
        }
    }

    private struct State: ~Copyable {
        var queue = MessageQueue()
        var waiter: UnsafeContinuation<Message?, any Error>?
        /// Whether ``waiter`` was parked by a consumer off the loop.
        var waiterIsOffLoop = false
        /// The message the application holds (it has not asked for the next one yet).
        var delivered = Credit()
        /// Messages an application task on the loop finished with, not yet granted to the Core
        /// as credit: the loop may take it whenever it likes (that task's sends are done).
        var finished = Credit()
        /// Messages an application task off the loop finished with and not yet handed to the
        /// loop: only a loop task queued by that consumer may grant it, behind the sends it
        /// queued before (granting it inline could decode, and fail on, a frame that arrived
        /// after a message whose echo still waits in the loop's queue: Autobahn 3.2, 5.15).
        var finishedOffLoop = Credit()
        /// The loop's Core stopped decoding for lack of credit: the next finished message must
        /// wake the loop.
        var loopAwaitsCredit = false
        /// How the sequence ends, once the connection closed.
        var end: Result<Message?, any Error>?
        /// Read-ahead a consumer off the loop adds to the loop's, handed over (with the credit
        /// it frees) at its first request, then 0.
        var offLoopExtension: Int
    }

    private let state: Mutex<State>
    /// The read-ahead the Core is granted at the start: messages and payload bytes.
    let readAhead: Credit
    /// The read-ahead a consumer off the loop adds at its first request.
    private let offLoopExtension: Int
    /// Finished messages that make waking the loop worth it while more are queued: half the
    /// read-ahead, so that a busy consumer wakes the loop once per batch, not per message (on
    /// the loop, of the loop's read-ahead; off the loop, of the extended one).
    private let creditBatch: Int
    private let offLoopCreditBatch: Int
    /// The same in payload bytes: half the byte read-ahead.
    private let creditByteBatch: Int

    /// Creates an inbox for a read-ahead of `maxQueuedMessages` holding up to about
    /// `maxQueuedBytes` of payload, whichever consumer.
    convenience init(maxQueuedMessages: Int, maxQueuedBytes: Int = .max) {
        self.init(readAhead: maxQueuedMessages, offLoopReadAhead: maxQueuedMessages, maxQueuedBytes: maxQueuedBytes)
    }

    /// Creates an inbox whose Core was granted `readAhead` messages (and `maxQueuedBytes`):
    /// a consumer off the loop extends that to `offLoopReadAhead` with its first request.
    init(readAhead: Int, offLoopReadAhead: Int, maxQueuedBytes: Int) {
        offLoopExtension = max(0, offLoopReadAhead - readAhead)
        state = Mutex(State(offLoopExtension: offLoopExtension))
        self.readAhead = Credit(messages: readAhead, bytes: maxQueuedBytes)
        creditBatch = max(1, readAhead / 2)
        offLoopCreditBatch = max(1, max(readAhead, offLoopReadAhead) / 2)
        creditByteBatch = max(1, maxQueuedBytes / 2)
    }

    /// Whether `credit` is worth handing to the loop while more messages are queued.
    private func fillsABatch(_ credit: Credit, onLoop: Bool) -> Bool {
        credit.messages >= (onLoop ? creditBatch : offLoopCreditBatch) || credit.bytes >= creditByteBatch
    }

    /// What ``poll(onLoop:)`` found.
    struct Poll {
        /// The next message or the end of the sequence; nil when the caller must wait.
        var result: Result<Message?, any Error>?
        /// On the loop: credit was freed while the loop waits for it; grant it now.
        var wakeLoop = false
        /// Off the loop: credit to grant with a loop task queued now (behind the caller's
        /// earlier sends); empty for none.
        var creditForLoopTask = Credit()
    }

    /// Consumer: takes the next message or the end of the sequence, if there is one.
    /// - Parameter onLoop: whether the caller runs on the connection's loop.
    func poll(onLoop: Bool) -> Poll {
        state.withLock { state in self.poll(&state, onLoop: onLoop) }
    }

    /// Consumer: takes the next message or the end, or else parks `continuation` until the loop
    /// delivers one (checked under the same lock, so no delivery slips between the two).
    /// - Returns: the credit to pass on, as for ``poll(onLoop:)``; `result` is always nil.
    /// A second consumer, while one is parked, is resumed at once with ``secondConsumerError``.
    func poll(orPark continuation: UnsafeContinuation<Message?, any Error>, onLoop: Bool) -> Poll {
        var poll = state.withLock { state -> Poll in
            if state.waiter != nil, state.queue.isEmpty, state.end == nil {
                return Poll(result: .failure(Self.secondConsumerError))
            }
            var poll = self.poll(&state, onLoop: onLoop)
            if poll.result == nil {
                // Cancelled before parking: the cancellation handler already ran and found
                // nothing to end (it takes this lock after the task's flag is set, so a park
                // that saw no flag is ended by it). The credit freed above still goes on.
                if Task.isCancelled {
                    poll.result = .failure(CancellationError())
                    return poll
                }
                state.waiter = continuation
                state.waiterIsOffLoop = !onLoop
            }
            return poll
        }
        if let found = poll.result { continuation.resume(with: found) }
        poll.result = nil
        return poll
    }

    /// Loop, when a message handler that took every message stops before the connection ends:
    /// the credit accounting starts over as for a new connection (nothing delivered, nothing
    /// finished, the off-loop extension still to hand over). Returns the read-ahead to grant
    /// to the Core, which the handler left without limits.
    func restart() -> Credit {
        state.withLock { state in
            state.delivered = Credit()
            state.finished = Credit()
            state.finishedOffLoop = Credit()
            state.loopAwaitsCredit = false
            state.offLoopExtension = offLoopExtension
        }
        return readAhead
    }

    /// What a task waiting for a message while another one waits gets: the messages have one
    /// consumer at a time, and the one already waiting keeps its place.
    static let secondConsumerError = WebSocketError(.connection(ConnectionError(.invalidState(
        "another task is already waiting for the next message (one consumer at a time)"))))

    /// Ends the parked consumer's wait with `CancellationError`, if it is still parked (a
    /// message handed to it meanwhile is its to keep). Any thread.
    func cancelWait() {
        let waiter = state.withLock { state -> UnsafeContinuation<Message?, any Error>? in
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(throwing: CancellationError())
    }

    private func poll(_ state: inout State, onLoop: Bool) -> Poll {
        let freed = state.delivered
        state.delivered = Credit()
        let message = state.queue.popFirst()
        var poll = Poll()
        // Pass credit on once a batch is free, or at once when the queue ran dry (the consumer
        // is about to wait for what the loop has not decoded yet).
        if onLoop {
            state.finished += freed
            poll.wakeLoop = state.loopAwaitsCredit && !state.finished.isEmpty
                && (fillsABatch(state.finished, onLoop: true) || state.queue.isEmpty)
            if poll.wakeLoop { state.loopAwaitsCredit = false }
        } else {
            state.finishedOffLoop += freed
            let extended = state.offLoopExtension > 0
            state.finishedOffLoop.messages += state.offLoopExtension
            state.offLoopExtension = 0
            if !state.finishedOffLoop.isEmpty
                && (extended || fillsABatch(state.finishedOffLoop, onLoop: false) || state.queue.isEmpty) {
                poll.creditForLoopTask = state.finishedOffLoop
                state.finishedOffLoop = Credit()
            }
        }
        if let message {
            state.delivered = Credit(of: message)
            poll.result = .success(message)
        } else {
            poll.result = state.end
        }
        return poll
    }

    /// A consumer parked off the loop, taken with the message it is to be resumed with.
    struct Handoff {
        let waiter: UnsafeContinuation<Message?, any Error>
        let message: Message

        /// Resumes the consumer (exactly once: the inbox gave the waiter away).
        func resume() { waiter.resume(returning: message) }
    }

    /// Loop: hands `message` to a waiting consumer, or queues it. A consumer on the loop is
    /// resumed at once; one parked off the loop is returned instead, for the caller to resume
    /// once the loop's round is over (see ``WebSocket/runDeferredWork()``): the messages that
    /// round decodes meanwhile queue behind it, and the consumer takes them all for one
    /// wake-up of its thread.
    func deliver(_ message: Message) -> Handoff? {
        let taken = state.withLock { state -> (UnsafeContinuation<Message?, any Error>, Bool)? in
            guard let waiter = state.waiter else {
                state.queue.append(message)
                return nil
            }
            state.waiter = nil
            state.delivered = Credit(of: message)
            return (waiter, state.waiterIsOffLoop)
        }
        guard let (waiter, isOffLoop) = taken else { return nil }
        let handoff = Handoff(waiter: waiter, message: message)
        if isOffLoop { return handoff }
        handoff.resume()
        return nil
    }

    /// Messages waiting to be taken (for tests and diagnostics).
    var queuedCount: Int { state.withLock { $0.queue.count } }

    /// Whether a consumer is parked (for tests and diagnostics).
    var hasWaiter: Bool { state.withLock { $0.waiter != nil } }

    /// Loop: the credit freed on the loop since the last call (messages the application
    /// finished with).
    func takeCredit() -> Credit {
        state.withLock { state in
            defer { state.finished = Credit() }
            return state.finished
        }
    }

    /// Loop, when the Core paused for lack of credit: the credit freed so far, or 0 after
    /// asking the consumer to wake the loop when it frees some.
    func awaitCredit() -> Credit {
        state.withLock { state in
            guard state.finished.isEmpty else {
                defer { state.finished = Credit() }
                return state.finished
            }
            state.loopAwaitsCredit = true
            return Credit()
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
