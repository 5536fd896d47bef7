import Testing
@testable import WebSocketDriver
import WebSocketClient
import WebSocketCore
import WebSocketServer

/// Inbound backpressure of ``WebSocket/messages``: a client that reads nothing has decoded
/// ahead no more than ``WebSocket/Configuration/maxQueuedMessages`` messages and
/// ``WebSocket/Configuration/maxQueuedBytes`` of payload (plus the message that crossed it),
/// and then gets every message, in order, once it reads. (Internal state, hence `@testable`.)
@Suite("Read-ahead: bounded by messages and by bytes", .timeLimit(.minutes(1)))
struct ReadAheadTests {
    static func payload(_ index: Int, size: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size)
    }

    /// A server that sends `count` binary messages of `size` bytes, then waits for the close;
    /// a client (defaults, no compression) that takes `taken` messages from a task off the loop
    /// and then reads nothing until the read-ahead settles. Returns what the client had queued
    /// then, after checking every message arrives in order. `expected` is what a correct
    /// read-ahead reaches: the wait for the queue to settle goes on until it has (or 10 s
    /// passed), so a loop starved under a sanitizer's load is not taken for a settled queue.
    static func queuedWhileNotReading(count: Int, size: Int, taken: Int = 1, expected: Int) async throws -> Int {
        var connection = WebSocket.Configuration()
        connection.compression = nil
        var configuration = WebSocketServer.Configuration()
        configuration.connection = connection
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for index in 0..<count { try await ws.send(.binary(payload(index, size: size))) }
                for try await _ in ws.messages {}
            } catch {}
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: connection)
        var received = 0
        for _ in 0..<taken {
            let message = try await Task.detached { try await ws.receive() }.value
            #expect(message?.data == payload(received, size: size))
            received += 1
        }
        let queued = await settledQueue(ws, reaching: expected)
        for try await message in ws.messages {
            #expect(message.data == payload(received, size: size))
            received += 1
            if received == count { break }
        }
        #expect(received == count)
        _ = try await ws.close()
        await server.shutdown()
        return queued
    }

    /// The client's queued message count once it has stopped changing for 300 ms, at
    /// `expected` or more (a count past it settles as well, and fails the caller's check), or
    /// whatever it is after 10 s.
    static func settledQueue(_ ws: WebSocket, reaching expected: Int) async -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        var last = -1
        var current = ws.inbox.queuedCount
        while (current < expected && ContinuousClock.now < deadline) || current != last {
            last = current
            try? await Task.sleep(for: .milliseconds(300))
            current = ws.inbox.queuedCount
        }
        return current
    }

    /// The byte credit (2 MiB by default) takes ten 200 KiB messages and the eleventh that
    /// crosses it (the one taken among them); under the count alone (16 before the byte
    /// limit) this was 3.2 MiB.
    @Test func largeMessagesStopAtTheByteLimit() async throws {
        let size = 200 * 1024
        let queued = try await Self.queuedWhileNotReading(count: 24, size: size, expected: 10)
        let limit = WebSocket.Configuration().maxQueuedBytes
        #expect(queued + 1 == (limit + size - 1) / size)
        #expect(queued == 10)
    }

    /// Small messages are read ahead up to the count, 256 by default, once a consumer off the
    /// loop asked for one (which it holds: 255 wait behind it).
    @Test func smallMessagesStopAtTheCountOffTheLoop() async throws {
        let queued = try await Self.queuedWhileNotReading(count: 400, size: 16, expected: 255)
        #expect(queued + 1 == WebSocket.Configuration().maxQueuedMessages)
        #expect(queued == 255)
    }

    /// Before any request, and for a consumer on the loop, the read-ahead is 16.
    @Test func theReadAheadIsSixteenUntilAConsumerOffTheLoopAsks() async throws {
        let queued = try await Self.queuedWhileNotReading(count: 400, size: 16, taken: 0, expected: 16)
        #expect(queued == WebSocket.onLoopReadAhead)
        #expect(queued == 16)
    }
}
