/// Work the loop thread puts off to the end of the current round of tasks: typically a
/// connection's flush, so that the answers to everything the round handled leave in one write.
///
/// Queued with ``EventLoop/deferToEndOfRound(_:)``: no closure to allocate and no lock to take
/// (the queue is the loop thread's own), which an `execute` per message cost a task-based echo
/// server (one closure context and two lock rounds per message). Package-wide rather than
/// public: the Driver's flush is its one user so far.
package protocol LoopDeferredWork: AnyObject {
    /// Runs the work, on the loop thread, once per ``EventLoop/deferToEndOfRound(_:)``.
    func runDeferredWork()
}

extension EventLoop {
    /// Loop thread only: runs `work` once the tasks of the current round have run (the round
    /// in progress, or the first of the next turn when called from an I/O callback or timer),
    /// before the loop polls again.
    ///
    /// Unlike ``execute(_:)`` this is not FIFO with the tasks other threads submit; it suits
    /// work whose order against them does not matter, such as writing what a connection has
    /// buffered (the bytes' order is the connection's own). Queue an object once and track that
    /// in the object (a `flushScheduled` flag), or it runs as many times as it was queued.
    /// - Parameter work: the work; retained until it ran.
    package func deferToEndOfRound(_ work: any LoopDeferredWork) {
        assert(inEventLoop, "deferToEndOfRound must be called on the loop thread")
        deferred.append(work)
    }

    /// Runs the deferred work, including what that work defers in turn.
    func runDeferredWork() {
        while !deferred.isEmpty {
            swap(&deferred, &deferredBatch)
            for work in deferredBatch { work.runDeferredWork() }
            deferredBatch.removeAll(keepingCapacity: true)
        }
    }
}
