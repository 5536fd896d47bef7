extension EventLoop {
    /// This loop as a task executor: a task started with
    /// `Task(executorPreference: loop.taskExecutor)` (or inside
    /// `withTaskExecutorPreference(loop.taskExecutor)`) runs its nonisolated async code on the
    /// loop thread, beside its channels, so a WebSocket handler receives and sends without a
    /// thread hop per message.
    ///
    /// A separate object from the loop's `SerialExecutor` side: a job run as an actor's
    /// (serial) job would have to leave that isolation at every call into nonisolated async
    /// code, which costs a trip through the loop's queue each time.
    public var taskExecutor: LoopTaskExecutor { LoopTaskExecutor(loop: self) }
}

/// Runs task jobs on an ``EventLoop`` thread, in FIFO order with its other work.
public final class LoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// The loop the jobs run on.
    public let loop: EventLoop

    init(loop: EventLoop) { self.loop = loop }

    /// Queues a job on the loop; after the loop stopped, jobs run on the enqueuing thread so
    /// that awaiting code finishes instead of hanging.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if !loop.enqueue(.taskJob(unowned, asUnownedTaskExecutor())) {
            loop.orphans.run(unowned, on: loop)
        }
    }

    /// This object as an unowned task executor.
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
