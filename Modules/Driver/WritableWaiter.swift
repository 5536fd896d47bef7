import Synchronization

/// A task in `send` waiting for the output to drain below the high-water mark, resumed exactly
/// once by whichever comes first: the loop (the channel drained, or the connection ended) or
/// the task's cancellation (`CancellationError`; the message was handed to the Core already
/// and still leaves).
///
/// Either may come before the task parks: the loop's answer and the cancellation are kept
/// until it does. One object per wait (waits come only over the mark): the cancellation
/// handler runs on any thread and resumes the task itself, with no loop task and no search of
/// the loop's list, which keeps the ended waiter until its next sweep (``isFinished``).
@usableFromInline
final class WritableWaiter: Sendable {
    private enum State {
        /// Nothing happened yet.
        case armed
        /// The task waits on this continuation.
        case parked(UnsafeContinuation<Void, any Error>)
        /// The answer came before the task parked.
        case answered(Result<Void, any Error>)
        /// The task was resumed.
        case finished
    }

    private let state = Mutex(State.armed)

    @usableFromInline
    init() {}

    /// The waiting task: suspends until ``finish(_:)``, or until the task is cancelled.
    /// Inlinable for the reason given at `WebSocket.nextMessage()` (an executor switch at the
    /// entry of each called async function).
    @inlinable @inline(__always)
    func wait() async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { park($0) }
        } onCancel: {
            finish(.failure(CancellationError()))
        }
    }

    /// Any thread: ends the wait with `result`, unless it already ended.
    @usableFromInline
    func finish(_ result: Result<Void, any Error>) {
        let waiting: UnsafeContinuation<Void, any Error>? = state.withLock { state in
            switch state {
            case .armed:
                state = .answered(result)
                return nil
            case .parked(let continuation):
                state = .finished
                return continuation
            case .answered, .finished:
                return nil
            }
        }
        waiting?.resume(with: result)
    }

    /// Whether the wait has an answer (the loop may drop the waiter from its list).
    var isFinished: Bool {
        state.withLock { state in
            if case .armed = state { return false }
            if case .parked = state { return false }
            return true
        }
    }

    /// The waiting task parks: resumed at once if the answer came first.
    @usableFromInline
    func park(_ continuation: UnsafeContinuation<Void, any Error>) {
        let answer: Result<Void, any Error>? = state.withLock { state in
            guard case .answered(let result) = state else {
                state = .parked(continuation)
                return nil
            }
            state = .finished
            return result
        }
        if let answer { continuation.resume(with: answer) }
    }
}
