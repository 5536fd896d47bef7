import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// A task waiting for the next message: cancelling it ends the wait, and a second task that
/// waits at the same time is refused instead of taking the first one's place.
@Suite("Waiting for a message: cancellation and one consumer at a time", .timeLimit(.minutes(1)))
struct ReceiveWaitTests {
    /// A server that sends `text` once it receives "go", and otherwise stays quiet.
    static func quietServer() throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.pingInterval = nil
        return try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for try await message in ws.messages where message == .text("go") { try await ws.send(text: "one") }
            } catch {}
        }
    }

    /// Cancelling a task parked in `receive()` (a timeout raced against it in a task group)
    /// ends it with `CancellationError`; it waited for a message that never came.
    @Test("Cancelling a waiting receive ends it", arguments: [false, true])
    func cancellingAWaitingReceiveEndsIt(onLoop: Bool) async throws {
        let server = try Self.quietServer()
        let url = "ws://127.0.0.1:\(server.port)/"
        let outcome: String = try await WebSocket.connect(to: url) { ws in
            let waiting: Task<Message?, any Error> = onLoop
                ? Task(executorPreference: ws.loop.taskExecutor) { try await ws.receive() }
                : Task.detached { try await ws.receive() }
            try await Task.sleep(for: .milliseconds(100))
            waiting.cancel()
            do {
                _ = try await waiting.value
                return "received"
            } catch is CancellationError {
                // The connection goes on: a later receive gets the next message.
                try await ws.send(text: "go")
                return try await ws.receive() == .text("one") ? "cancelled" : "lost the next message"
            }
        }
        #expect(outcome == "cancelled")
        await server.shutdown()
    }

    /// A task cancelled before it waits: the cancellation handler runs at once and finds no
    /// wait to end, so the wait must not start (it would never end).
    @Test func aTaskCancelledBeforeItWaitsDoesNotWait() async throws {
        let server = try Self.quietServer()
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        let gate = Locked(false)
        let waiting = Task.detached {
            while !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(1)) }
            return try await ws.receive()
        }
        waiting.cancel()
        gate.withLock { $0 = true }
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        _ = try await ws.close()
        await server.shutdown()
    }

    @Test func aSecondConcurrentReceiveIsRefusedAndTheFirstKeepsWaiting() async throws {
        let server = try Self.quietServer()
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        let first = Task.detached { try await ws.receive() }
        try await Task.sleep(for: .milliseconds(100))
        let second = Task.detached { try await ws.receive() }
        do {
            _ = try await second.value
            Issue.record("a second consumer received a message")
        } catch let error as WebSocketError {
            guard case .connection(let failure) = error.kind, case .invalidState = failure.kind else {
                Issue.record("\(error)")
                return
            }
        }
        try await ws.send(text: "go")
        #expect(try await first.value == .text("one"))
        _ = try await ws.close()
        await server.shutdown()
    }
}
