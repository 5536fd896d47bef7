// The experiment behind BenchClient `--loop-executor` (a copy of BenchServer's): EventLoop already implements `enqueue(_:)` for
// actors (SerialExecutor); declaring it a TaskExecutor lets a task prefer it, so that the
// driver's `loop.execute` hops stay on the loop thread (no eventfd wake-up, no futex).
public import WebSocketTransport

extension EventLoop: @retroactive TaskExecutor {}
