import Glibc
import Synchronization
import Testing
@testable import WebSocketDriver
import WebSocketClient
import WebSocketCore
import WebSocketServer
import WebSocketTransport

/// A consumer parked off the loop (a client's task on Swift's pool) is resumed once the loop's
/// round is over, with the messages that round decoded queued behind the one handed to it: one
/// wake-up of its thread for all of them, rather than a wake-up at the first while the loop
/// goes on decoding (`Inbox.deliver`, `WebSocket.runDeferredWork`). Internal, hence `@testable`.
@Suite("Handoff to a consumer off the loop", .timeLimit(.minutes(1)))
struct HandoffTests {
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// Runs `body` as one task on `loop` and returns its result.
    static func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: body()) }
        }
    }

    @Test func aConsumerOffTheLoopIsResumedAfterTheRoundWithItsMessages() async throws {
        var connection = WebSocket.Configuration()
        connection.compression = nil
        connection.pingInterval = nil
        var configuration = WebSocketServer.Configuration()
        configuration.connection = connection
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            do { for try await _ in ws.messages {} } catch {}
        }
        let loop = EventLoop(name: "handoff-test")
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: connection, loop: loop)
        let resumed = Flag()
        let consumer = Task.detached { () -> [[UInt8]] in
            var received: [[UInt8]] = []
            for try await message in ws.messages {
                resumed.value.store(true, ordering: .relaxed)
                received.append(message.data)
                if received.count == 3 { break }
            }
            return received
        }
        while !ws.inbox.hasWaiter { try await Task.sleep(for: .milliseconds(5)) }
        // Three unmasked binary frames (server to client) read at once; the loop then stays in
        // this task for 100 ms, long enough for a consumer resumed at the first to have run.
        let (resumedDuringRound, queuedDuringRound) = await Self.onLoop(loop) {
            let frames: [UInt8] = [0x82, 1, 1, 0x82, 1, 2, 0x82, 1, 3]
            frames.withUnsafeBytes { ws.channelRead(ws.channel!, $0) }
            usleep(100_000)
            return (resumed.value.load(ordering: .relaxed), ws.inbox.queuedCount)
        }
        #expect(!resumedDuringRound, "the consumer ran before the loop's round was over")
        #expect(queuedDuringRound == 2, "the two messages behind the handed one wait in the inbox")
        #expect(try await consumer.value == [[1], [2], [3]])
        _ = try await ws.close()
        await server.shutdown()
        loop.shutdownGracefully()
    }
}
