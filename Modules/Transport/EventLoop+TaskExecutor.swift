extension EventLoop: TaskExecutor {
    /// This loop as a task executor: a task started with `Task(executorPreference: loop)` (or
    /// inside `withTaskExecutorPreference(loop)`) runs its nonisolated async code on the loop
    /// thread, beside its channels, so a WebSocket handler receives and sends without a thread
    /// hop per message. Jobs share the FIFO queue of ``execute(_:)`` and actor jobs.
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
