import WebSocketClient
import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport

/// A client event loop for suites whose connects must not queue behind other tests' work: the
/// shared client loop also carries the 1000-connection test's handshakes, which held it for
/// over 100 s in a TSan run in CI (a redirect chain then ran out of its open timeout).
enum SuiteLoop {
    static let loop = EventLoop(name: "suite-client")

    /// `WebSocket.connect` on ``loop``, with the loop as the task's executor throughout: a
    /// connect that resumed on Swift's pool between its TCP connect and its request waited
    /// there while other tests' CPU-bound work held the pool's two threads, and the server's
    /// open timer, started at its accept, ran out first (a TSan run in CI).
    static func connect(
        to url: String, headers: HTTPHeaders = HTTPHeaders(), configuration: WebSocket.Configuration
    ) async throws -> WebSocket {
        try await withTaskExecutorPreference(loop.taskExecutor) {
            try await WebSocket.connect(to: url, headers: headers, configuration: configuration, loop: loop)
        }
    }
}
