import WebSocketClient
import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport

/// A client event loop for suites whose connects must not queue behind other tests' work: the
/// shared client loop also carries the 1000-connection test's handshakes, which held it for
/// over 100 s in a TSan run in CI (a redirect chain then ran out of its open timeout).
enum SuiteLoop {
    static let loop = EventLoop(name: "suite-client")

    /// `WebSocket.connect` on ``loop``.
    static func connect(
        to url: String, headers: HTTPHeaders = HTTPHeaders(), configuration: WebSocket.Configuration
    ) async throws -> WebSocket {
        try await WebSocket.connect(to: url, headers: headers, configuration: configuration, loop: loop)
    }
}
