/// A task scheduled on an ``EventLoop`` with ``EventLoop/scheduleTask(in:_:)``.
///
/// ``cancel()`` is safe from any thread: a task cancelled before it starts never runs.
public final class Scheduled: @unchecked Sendable {
    /// The loop that runs the task.
    public let loop: EventLoop
    /// The deadline on the loop's monotonic clock, in nanoseconds.
    let deadline: UInt64
    /// Insertion order, to run tasks with equal deadlines first-in first-out. Loop thread only.
    var sequence: UInt64 = 0
    /// Position in the loop's timer heap, -1 when not in it. Loop thread only.
    var heapIndex = -1
    /// The task; nil once run or cancelled. Guarded by the loop's lock.
    private var task: (@Sendable () -> Void)?

    init(loop: EventLoop, deadline: UInt64, task: @escaping @Sendable () -> Void) {
        self.loop = loop
        self.deadline = deadline
        self.task = task
    }

    /// Cancels the task if it has not started yet. Idempotent; any thread.
    public func cancel() {
        let wasPending = loop.lock.withLock { () -> Bool in
            defer { task = nil }
            return task != nil
        }
        guard wasPending else { return }
        if loop.inEventLoop {
            loop.timers.remove(self)
        } else {
            loop.execute { [self] in loop.timers.remove(self) }
        }
    }

    /// Whether the task was cancelled or has already run.
    public var isDone: Bool {
        loop.lock.withLock { task == nil }
    }

    /// Takes the task for running; nil if it was cancelled.
    func take() -> (@Sendable () -> Void)? {
        loop.lock.withLock {
            defer { task = nil }
            return task
        }
    }
}
