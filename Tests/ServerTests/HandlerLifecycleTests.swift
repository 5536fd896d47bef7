import Dispatch
import Synchronization
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketServer
import WebSocketTransport

/// `shutdown()` ends the connections (1001), then the handler tasks: it waits for both within
/// the close timeout, then cancels the handlers still running and waits for them.
@Suite("Server shutdown: connections, then handler tasks", .timeLimit(.minutes(1)))
struct ShutdownTests {
    /// Whether each handler that ended had been cancelled, in the order they ended.
    final class Endings: Sendable {
        private let cancelled = Mutex<[Bool]>([])
        func add() { let flag = Task.isCancelled; cancelled.withLock { $0.append(flag) } }
        var all: [Bool] { cancelled.withLock { $0 } }
    }

    static func server(closeTimeout: Duration, afterTheMessages: @escaping @Sendable () async -> Void) throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.closeTimeout = closeTimeout
        return try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
            await afterTheMessages()
        }
    }

    /// A handler that waits on something other than its connection (here a sleep of an hour)
    /// once the connection closed is cancelled, and `shutdown` returns after it ended. Before,
    /// `shutdown` returned with the handler still running, on loops it had just stopped.
    @Test func aHandlerWaitingOnSomethingElseIsCancelledAndWaitedFor() async throws {
        let endings = Endings()
        let server = try Self.server(closeTimeout: .milliseconds(300)) {
            try? await Task.sleep(for: .seconds(3600))
            endings.add()
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        try await ws.send(text: "x")
        #expect(try await ws.receive() == .text("x"))
        await server.shutdown()
        #expect(endings.all == [true], "the handler ended, cancelled, before shutdown returned")
        #expect(await ws.closed().code == .goingAway)
    }

    /// A handler that finishes some work after its connection closed is waited for, not
    /// cancelled, within the close timeout.
    @Test func aHandlerFinishingItsWorkIsWaitedForUncancelled() async throws {
        let endings = Endings()
        let server = try Self.server(closeTimeout: .seconds(30)) {
            try? await Task.sleep(for: .milliseconds(200))
            endings.add()
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        await server.shutdown()
        #expect(endings.all == [false], "the handler ended on its own before shutdown returned")
        #expect(await ws.closed().code == .goingAway)
    }

    /// Cancelling the task in `shutdown` ends its waits: a client whose loop is blocked never
    /// answers the 1001 and the close timeout is 30 s, yet `shutdown` returns at once. It
    /// polled the connection count with a sleep that a cancelled task skips, spinning until
    /// the close timeout.
    @Test func cancellingTheShutdownEndsItsWaits() async throws {
        let server = try Self.server(closeTimeout: .seconds(30)) {}
        let loop = EventLoop(name: "blocked-client-loop")
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", loop: loop)
        let release = DispatchSemaphore(value: 0)
        loop.execute { release.wait() }
        let shutdown = Task { await server.shutdown() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.connectionCount == 1, "the client has not answered the close")
        let start = ContinuousClock.now
        shutdown.cancel()
        await shutdown.value
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(10), "shutdown returned \(elapsed) after its cancellation")
        release.signal()
        _ = await ws.closed()
        loop.syncShutdown()
    }
}
