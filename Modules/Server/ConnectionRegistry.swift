import Synchronization
import WebSocketDriver

/// The server's live connections, shared by every loop.
final class ConnectionRegistry: Sendable {
    private struct State: ~Copyable {
        var open: [ObjectIdentifier: WebSocket] = [:]
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

    /// The tracked sockets.
    var sockets: [WebSocket] { state.withLock { Array($0.open.values) } }

    /// How many sockets are tracked.
    var count: Int { state.withLock { $0.open.count } }
}
