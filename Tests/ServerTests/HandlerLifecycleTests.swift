import Dispatch
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
@testable import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// A server's handler task owns its connection: when it returns the connection closes (1000).
/// `shutdown()` ends the connections (1001), then the handler tasks: it waits for both within
/// the close timeout, then cancels the handlers still running and waits for them.
@Suite("Server handler tasks: their end closes the connection; shutdown ends them", .timeLimit(.minutes(1)))
struct HandlerLifecycleTests {
    /// Whether each handler that ended had been cancelled, in the order they ended.
    final class Endings: Sendable {
        private let cancelled = Locked<[Bool]>([])
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

    /// A handler that returns while its peer keeps the connection open closes it with 1000,
    /// even with a message it never read in a full queue (which stops reading: the close reads
    /// on to the peer's Close). Before, the connection stayed open until the peer closed it.
    @Test func aHandlerThatReturnsClosesItsConnection() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.maxQueuedMessages = 1
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            _ = try? await ws.receive()
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        try await ws.send(text: "read")
        // Usually queued behind the first; on a loaded machine the handler may have read the
        // first and returned before this one leaves, and then `send` reports the close (a
        // fresh-clone CI run saw it): the assertions below hold either way.
        try? await ws.send(text: "unread")
        // The end of the client's messages, raced against 10 s (`closed()` is not cancellable).
        let ended = await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await ws.receive() == nil }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return false
            }
            defer { group.cancelAll() }
            return (try? await group.next()) ?? false
        }
        #expect(ended, "the server closed the connection once its handler returned")
        if ended {
            let info = await ws.closed()
            #expect(info.code == .normalClosure && info.wasClean, "\(info)")
        } else {
            _ = try? await ws.close()
        }
        await server.shutdown()
    }

    /// A handler task started on a loop that has stopped runs on the starting thread (the
    /// loop's executor runs orphaned jobs there) and may end before `startHandler` returns:
    /// it must neither deadlock on the registry's lock (the task was created under it) nor
    /// stay tracked after it ended (which made `shutdown` wait a close timeout for it).
    @Test func aHandlerThatEndsBeforeItIsTrackedIsNotTracked() {
        let loop = EventLoop(name: "stopped")
        loop.syncShutdown()
        let registry = ConnectionRegistry()
        let socket = WebSocket(connection: Connection.server(), configuration: WebSocket.Configuration(), loop: loop)
        let ran = Locked(false)
        registry.startHandler(for: socket) { _ in ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 }, "the handler ran on this thread")
        #expect(registry.taskCount == 0)
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
