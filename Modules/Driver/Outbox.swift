import Synchronization
import WebSocketCore

/// Messages sent off the loop, in the order their `send` calls returned, on their way to the
/// loop's task that hands them to the Core.
///
/// One loop task per batch rather than one per message: a client on Swift's pool answering a
/// burst of echoes queued a closure per message (an allocation, a round of the loop's lock
/// shared with the loop thread) and the loop ran a pump per message; now the first message of
/// a batch schedules the drain and the rest join it under this lock. Order against the loop's
/// other tasks is kept where it matters: a drain scheduled before a task takes every message
/// queued before that task (and perhaps some after, which only makes them earlier).
final class Outbox: Sendable {
    /// A message and how to send it.
    struct Outgoing {
        let message: Message
        let allowsCompression: Bool
    }

    private struct State: ~Copyable {
        var messages: [Outgoing] = []
        /// A drain task is queued and has not taken the messages yet.
        var isDrainScheduled = false
    }

    private let state = Mutex(State())

    /// Any thread: queues `message`. Returns true when the caller must schedule the drain
    /// (``take(into:)`` on the loop): the first message since the last drain.
    func append(_ message: Message, allowsCompression: Bool) -> Bool {
        state.withLock { state in
            state.messages.append(Outgoing(message: message, allowsCompression: allowsCompression))
            defer { state.isDrainScheduled = true }
            return !state.isDrainScheduled
        }
    }

    /// Loop, in the drain task: swaps the queued messages into `batch` (empty, its capacity
    /// kept for the next append), so that neither side allocates once both have grown.
    func take(into batch: inout [Outgoing]) {
        state.withLock { state in
            swap(&state.messages, &batch)
            state.isDrainScheduled = false
        }
    }

    /// Any thread, when the drain could not be scheduled (the loop has stopped): drops every
    /// queued message, so that the next `append` tries again, and returns their payload bytes.
    func discardAll() -> Int {
        state.withLock { state in
            defer {
                state.messages.removeAll()
                state.isDrainScheduled = false
            }
            return state.messages.reduce(0) { $0 + $1.message.data.count }
        }
    }

    /// Messages waiting for the drain (for tests and diagnostics).
    var count: Int { state.withLock { $0.messages.count } }
}
