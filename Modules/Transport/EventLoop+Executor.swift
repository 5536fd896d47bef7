extension EventLoop: SerialExecutor {
    /// Runs an actor's job on the loop thread, in FIFO order with ``execute(_:)`` tasks.
    ///
    /// An actor whose `unownedExecutor` is this loop runs on the loop thread, next to its
    /// channels, so handing a message from a ``ChannelHandler`` to the actor costs no thread hop:
    /// ```swift
    /// actor Connection {
    ///     let loop: EventLoop
    ///     nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
    /// }
    /// ```
    /// After the loop has stopped, jobs still run (serially, on the thread that enqueues them),
    /// so that awaiting code finishes instead of hanging.
    /// - Parameter job: the job.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if !enqueue(.job(unowned)) {
            orphans.run(unowned, on: self)
        }
    }

    /// This loop as an unowned serial executor.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the caller runs on this loop (used by `assumeIsolated` and isolation checks).
    public func isIsolatingCurrentContext() -> Bool? {
        inEventLoop || orphans.isDrainingOnCurrentThread
    }

    /// Traps unless the caller runs on this loop: the runtime calls this only to verify an
    /// isolation assumption (`assumeIsolated`), where continuing would be a data race.
    public func checkIsolated() {
        precondition(inEventLoop || orphans.isDrainingOnCurrentThread, "not on event loop \(name)")
    }
}

/// Actor jobs that arrive after their loop's thread ended: run one at a time, on whichever
/// thread enqueues first, so the actor stays serial and its callers do not hang.
final class OrphanJobs: @unchecked Sendable {
    private let lock = Lock()
    private var queue: [UnownedJob] = []
    private var drainer: ThreadHandle?

    /// Whether the calling thread is the one running orphaned jobs right now.
    var isDrainingOnCurrentThread: Bool {
        lock.withLock { drainer.map(Syscall.isCurrentThread) ?? false }
    }

    func run(_ job: UnownedJob, on executor: EventLoop) {
        let drain = lock.withLock { () -> Bool in
            queue.append(job)
            guard drainer == nil else { return false }
            drainer = Syscall.currentThread()
            return true
        }
        guard drain else { return }
        while let next = lock.withLock({ () -> UnownedJob? in
            guard !queue.isEmpty else {
                drainer = nil
                return nil
            }
            return queue.removeFirst()
        }) {
            next.runSynchronously(on: executor.asUnownedSerialExecutor())
        }
    }
}
