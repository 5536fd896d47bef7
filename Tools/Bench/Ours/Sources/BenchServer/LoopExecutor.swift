// The experiment behind `--loop-executor`: EventLoop already implements `enqueue(_:)` for
// actors (SerialExecutor); declaring it a TaskExecutor lets a task prefer it, so that the
// driver's `loop.execute` hops stay on the loop thread (no eventfd wake-up, no futex).
public import WebSocketTransport

extension EventLoop: @retroactive TaskExecutor {}
