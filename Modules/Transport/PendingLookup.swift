/// A name lookup that `Channel.connect` waits for, ended by whichever comes first: the lookup's
/// answer, the connect's deadline (a loop timer) or the task's cancellation.
///
/// `getaddrinfo` blocks and cannot be interrupted, so the lookup runs on a helper thread of its
/// own, and a lookup that loses the race finishes there (within the resolver's own timeouts,
/// `resolv.conf`'s `timeout` and `attempts`) with its answer dropped. What the caller waits for is
/// bounded by the connect's timeout either way.
final class PendingLookup: @unchecked Sendable {
    typealias Outcome = Result<[SocketAddress], TransportError>

    private let lock = Lock()
    /// The waiting task, until an outcome resumes it.
    private var waiter: CheckedContinuation<Outcome, Never>?
    /// The first outcome; later ones are dropped. Set before ``wait(_:)`` when the task was
    /// cancelled before it waited.
    private var outcome: Outcome?
    private var timer: Scheduled?

    /// Installs the waiter, or resumes it at once when an outcome (cancellation) came first.
    func wait(_ continuation: CheckedContinuation<Outcome, Never>, timeout: Duration, on loop: EventLoop,
              endpoint: String, lookup: @escaping @Sendable () -> Outcome) {
        let early: Outcome? = lock.withLock {
            if let outcome { return outcome }
            waiter = continuation
            return nil
        }
        if let early { return continuation.resume(returning: early) }
        let timer = loop.scheduleTask(in: timeout) { [self] in
            finish(.failure(TransportError(.connectTimeout, endpoint: endpoint)))
        }
        // A finish that ran before the timer was stored (cancellation) could not cancel it.
        let ended = lock.withLock { () -> Bool in
            self.timer = timer
            return outcome != nil
        }
        if ended { return timer.cancel() }
        let work: @Sendable () -> Void = { [self] in finish(lookup()) }
        do {
            try Syscall.spawnDetachedThread(name: "ws-resolve", work)
        } catch {
            work()
        }
    }

    /// Ends the wait with `result` unless it has ended. Any thread.
    func finish(_ result: Outcome) {
        let (continuation, timer): (CheckedContinuation<Outcome, Never>?, Scheduled?) = lock.withLock {
            guard outcome == nil else { return (nil, nil) }
            outcome = result
            defer { waiter = nil; self.timer = nil }
            return (waiter, self.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: result)
    }
}

extension SocketAddress {
    /// ``resolve(host:port:)`` without blocking the caller and within `timeout`: numeric hosts
    /// are parsed inline; names are resolved on a short-lived helper thread, and the wait ends
    /// with `.connectTimeout` when `timeout` passes first, or `.cancelled` when the task is
    /// cancelled (see ``PendingLookup``).
    /// - Parameters:
    ///   - lookup: the blocking resolution (tests substitute a slow one).
    static func resolveInBackground(
        host: String, port: Int, timeout: Duration, on loop: EventLoop,
        lookup: @escaping @Sendable (String, Int) -> PendingLookup.Outcome = { host, port in
            Result { () throws(TransportError) in try resolve(host: host, port: port) }
        }
    ) async -> PendingLookup.Outcome {
        if let numeric = SocketAddress(ipAddress: host, port: port) { return .success([numeric]) }
        let endpoint = Channel.endpoint(host: host, port: port)
        let pending = PendingLookup()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                pending.wait(continuation, timeout: timeout, on: loop, endpoint: endpoint) { lookup(host, port) }
            }
        } onCancel: {
            pending.finish(.failure(TransportError(.cancelled, endpoint: endpoint)))
        }
    }
}
