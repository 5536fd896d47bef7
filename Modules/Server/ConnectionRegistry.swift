import Synchronization
import WebSocketDriver
import WebSocketTransport

/// The server's live connections, shared by every loop.
final class ConnectionRegistry: Sendable {
    private struct State: ~Copyable {
        var open: [ObjectIdentifier: WebSocket] = [:]
        /// The handler tasks that have not returned, by their connection.
        var handlers: [ObjectIdentifier: Task<Void, Never>] = [:]
        /// Handlers that returned before ``startHandler(for:_:)`` tracked them.
        var returned: Set<ObjectIdentifier> = []
        var isShuttingDown = false
    }

    private let state = Mutex(State())

    /// Tracks `socket` unless the server is shutting down or already at `limit`.
    func admit(_ socket: WebSocket, limit: Int) -> Bool {
        state.withLock { state in
            guard !state.isShuttingDown, state.open.count < limit else { return false }
            state.open[ObjectIdentifier(socket)] = socket
            return true
        }
    }

    /// Forgets a socket whose transport closed.
    func remove(_ socket: WebSocket) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(socket)) }
    }

    /// Refuses new connections from now on and returns the open ones.
    func beginShutdown() -> [WebSocket] {
        state.withLock { state in
            state.isShuttingDown = true
            return Array(state.open.values)
        }
    }

    /// Starts `socket`'s handler task on its loop and tracks the task until it returns.
    ///
    /// The task is created outside the lock (a stopped loop's executor runs a job on the
    /// calling thread); a handler that ends before it is tracked leaves its identifier in
    /// `returned`, so that it is not tracked after it ended.
    func startHandler(for socket: WebSocket, _ handler: @escaping @Sendable (WebSocket) async -> Void) {
        let id = ObjectIdentifier(socket)
        let task = Task(executorPreference: socket.loop.taskExecutor) { [self] in
            await handler(socket)
            socket.handlerReturned()
            state.withLock { state in
                if state.handlers.removeValue(forKey: id) == nil { state.returned.insert(id) }
            }
        }
        state.withLock { state in
            if state.returned.remove(id) == nil { state.handlers[id] = task }
        }
    }

    /// How many handler tasks have not returned.
    var handlerCount: Int { state.withLock { $0.handlers.count } }

    /// Cancels every handler task still running; returns how many there are.
    func cancelHandlers() -> Int {
        let running = state.withLock { Array($0.handlers.values) }
        for task in running { task.cancel() }
        return running.count
    }

    /// The tracked sockets.
    var sockets: [WebSocket] { state.withLock { Array($0.open.values) } }

    /// How many sockets are tracked.
    var count: Int { state.withLock { $0.open.count } }
}
