import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketServer
import WebSocketTransport

/// `send` from a task off the loop when the connection's loop has stopped: the loop can take no
/// task, so `send` throws ``TransportError/Kind/eventLoopShutdown`` instead of waiting forever
/// for a loop task that never runs (what the slow path did when it submitted with `execute`).
@Suite("send after the loop stopped", .timeLimit(.minutes(1)))
struct SendAfterShutdownTests {
    @Test func sendOnAStoppedLoopThrowsInsteadOfHanging() async throws {
        let server = try WebSocketServer.start(configuration: WebSocketServer.Configuration()) { ws in
            do { for try await _ in ws.messages {} } catch {}
        }
        let loop = EventLoop(name: "stopped-loop")
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", loop: loop)
        try await ws.close()
        loop.syncShutdown()
        let error = await #expect(throws: WebSocketError.self) { try await ws.send(text: "late") }
        guard case .transport(let transport)? = error?.kind else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .eventLoopShutdown)
        await server.shutdown()
    }

    /// The same without closing first: the loop's shutdown closes the connection, so a `send`
    /// from off the loop must not be queued for a loop that will never run it.
    @Test func sendAfterTheLoopStoppedUnderAnOpenConnectionThrows() async throws {
        let server = try WebSocketServer.start(configuration: WebSocketServer.Configuration()) { ws in
            do { for try await _ in ws.messages {} } catch {}
        }
        let loop = EventLoop(name: "stopped-loop")
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", loop: loop)
        loop.syncShutdown()
        await #expect(throws: WebSocketError.self) { try await ws.send(text: "late") }
        await #expect(throws: WebSocketError.self) { try await ws.send(binary: [1, 2, 3]) }
        await server.shutdown()
    }
}
