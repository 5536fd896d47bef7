/// Something registered with an ``EventLoop``'s poller: a ``Channel``, a ``Listener``, or a
/// connect in progress. The loop keeps it alive while it is registered. Loop thread only.
protocol Selectable: AnyObject {
    /// Readiness reported by the poller.
    func handleEvent(_ event: PollEvent)
    /// The loop is shutting down: close now and deregister.
    func loopWillShutDown()
}
