import Synchronization
import Testing
import WebSocketClient
import WebSocketDriver
import WebSocketTransport

/// Cancelling the task that waits in `connect` ends the wait at once, whatever is left of the
/// open timeout: during the opening handshake the connection is dropped and `connect` throws
/// `.transport(.cancelled)`.
@Suite("Connect: cancellation during the opening handshake", .timeLimit(.minutes(1)))
struct OpenCancellationTests {
    @Test func cancellingDuringTheHandshakeEndsTheConnect() async throws {
        let loop = EventLoop(name: "silent-server")
        defer { loop.syncShutdown() }
        let accepted = Atomic<Int>(0)
        // Accepts and never answers the upgrade request.
        let listener = try Listener.bind(host: "127.0.0.1", port: 0, on: loop) { _ in
            accepted.add(1, ordering: .relaxed)
        }
        defer { loop.execute { listener.close() } }
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(600)
        let url = "ws://127.0.0.1:\(listener.localAddress.port)/"
        let task = Task { try await WebSocket.connect(to: url, configuration: configuration) }
        while accepted.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("connected to a server that never answers")
        } catch let error as WebSocketError {
            guard case .transport(let transport) = error.kind else { Issue.record("\(error)"); return }
            #expect(transport.kind == .cancelled, "\(error)")
        }
    }
}
