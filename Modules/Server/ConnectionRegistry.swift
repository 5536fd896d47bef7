import Synchronization
import WebSocketDriver
import WebSocketTransport

/// The server's live connections, shared by every loop.
final class ConnectionRegistry: Sendable {
    private struct State: ~Copyable {
        var open: [ObjectIdentifier: WebSocket] = [:]
        /// How many tracked sockets each client address has (``admit(_:limit:address:addressLimit:)``),
        /// and each such socket's address.
        var perAddress: [String: Int] = [:]
        var addresses: [ObjectIdentifier: String] = [:]
        /// The application's tasks that have not returned (handlers, async upgrade decisions),
        /// by a number of their own: a connection's decision and then its handler both run.
        var tasks: [UInt64: Task<Void, Never>] = [:]
        /// Tasks that returned before ``startTask(on:_:)`` tracked them.
        var returned: Set<UInt64> = []
        var nextTaskNumber: UInt64 = 0
        var isShuttingDown = false
    }

    private let state = Mutex(State())

    /// Tracks `socket` unless the server is shutting down, already at `limit`, or `address`
    /// (the client's IP address; nil: not counted) already has `addressLimit` sockets.
    /// - Returns: nil when it tracks `socket`, else why not.
    func admit(_ socket: WebSocket, limit: Int, address: String? = nil, addressLimit: Int? = nil) -> ServerEvent.Refusal? {
        state.withLock { state in
            guard !state.isShuttingDown else { return .shuttingDown }
            guard state.open.count < limit else { return .connectionLimit }
            let key = ObjectIdentifier(socket)
            if let address, let addressLimit {
                let count = state.perAddress[address, default: 0]
                guard count < addressLimit else { return .addressLimit }
                state.perAddress[address] = count + 1
                state.addresses[key] = address
            }
            state.open[key] = socket
            return nil
        }
    }

    /// Forgets a socket whose transport closed.
    func remove(_ socket: WebSocket) {
        state.withLock { state in
            let key = ObjectIdentifier(socket)
            state.open.removeValue(forKey: key)
            guard let address = state.addresses.removeValue(forKey: key) else { return }
            let count = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = count > 0 ? count : nil
        }
    }

    /// Refuses new connections from now on and returns the open ones.
    func beginShutdown() -> [WebSocket] {
        state.withLock { state in
            state.isShuttingDown = true
            return Array(state.open.values)
        }
    }

    /// Starts `socket`'s handler task on its loop and tracks the task until it returns.
    func startHandler(for socket: WebSocket, _ handler: @escaping @Sendable (WebSocket) async -> Void) {
        startTask(on: socket.loop) {
            await handler(socket)
            socket.handlerReturned()
        }
    }

    /// Runs `body` in a task preferring `loop`, tracked until it returns: shutdown waits for
    /// it, then cancels it.
    ///
    /// The task is created outside the lock (a stopped loop's executor runs a job on the
    /// calling thread); a task that ends before it is tracked leaves its number in `returned`,
    /// so that it is not tracked after it ended.
    @discardableResult
    func startTask(on loop: EventLoop, _ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let number = state.withLock { state in
            state.nextTaskNumber += 1
            return state.nextTaskNumber
        }
        let task = Task(executorPreference: loop.taskExecutor) { [self] in
            await body()
            state.withLock { state in
                if state.tasks.removeValue(forKey: number) == nil { state.returned.insert(number) }
            }
        }
        state.withLock { state in
            if state.returned.remove(number) == nil { state.tasks[number] = task }
        }
        return task
    }

    /// How many of the application's tasks (handlers, async upgrade decisions) have not returned.
    var taskCount: Int { state.withLock { $0.tasks.count } }

    /// Cancels every application task still running; returns how many there are.
    func cancelTasks() -> Int {
        let running = state.withLock { Array($0.tasks.values) }
        for task in running { task.cancel() }
        return running.count
    }

    /// The tracked sockets.
    var sockets: [WebSocket] { state.withLock { Array($0.open.values) } }

    /// How many sockets are tracked.
    var count: Int { state.withLock { $0.open.count } }
}
