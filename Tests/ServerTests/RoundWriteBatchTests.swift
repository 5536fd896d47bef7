import Dispatch
import Synchronization
import Testing
import WebSocketClient
import WebSocketCore
@testable import WebSocketDriver  // `pendingWriteBytes`, `roundWriteBatch`
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// A round's sends are written together (`WebSocket.mustWaitUntilWritable`): on the loop, a
/// message over ``WebSocket/Configuration/writeHighWaterMark`` waits in the Core for the
/// end-of-round flush while the socket keeps up, up to ``WebSocket/roundWriteBatch`` bytes;
/// past that it is flushed at once. Flushing every such message at once cost a system call
/// (and a wake-up of the reader) per message: the `for try await` 64 KiB echo ran at 0.81x
/// the raw TCP floor instead of 1.16x.
@Suite("A round's sends over the high-water mark leave in one write", .timeLimit(.minutes(1)))
struct RoundWriteBatchTests {
    /// Over the 64 KiB default mark; two fit in ``WebSocket/roundWriteBatch``, three do not.
    static let messageSize = 100 * 1024
    /// A binary frame's header for `messageSize` from the server (2 + 8 bytes, unmasked).
    static let frameSize = messageSize + 10

    static func payload(_ index: Int) -> [UInt8] { [UInt8](repeating: UInt8(index + 1), count: messageSize) }

    /// What the handler saw: whether it ran on the loop, and the bytes pending before the first
    /// send and after each.
    final class Observations: Sendable {
        let onLoop = Atomic<Bool>(false)
        let pending = Locked<[Int]>([])
    }

    @Test func sendsOverTheMarkWaitForTheRoundsFlushUpToTheBatch() async throws {
        #expect(WebSocket.roundWriteBatch >= 2 * Self.frameSize && WebSocket.roundWriteBatch < 3 * Self.frameSize)
        var configuration = WebSocketServer.Configuration()
        configuration.connection.compression = nil
        #expect(configuration.connection.writeHighWaterMark < Self.frameSize)
        let seen = Observations()
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            seen.onLoop.store(ws.loop.inEventLoop, ordering: .relaxed)
            // Bytes before the first send (the handshake's response may still wait for its flush).
            let before = ws.pendingWriteBytes
            seen.pending.withLock { $0.append(before) }
            do {
                for index in 0..<3 {
                    try await ws.send(.binary(Self.payload(index)))
                    let pending = ws.pendingWriteBytes
                    seen.pending.withLock { $0.append(pending) }
                }
            } catch {}
            _ = await ws.closed()
        }
        var clientConfiguration = WebSocket.Configuration()
        clientConfiguration.compression = nil
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: clientConfiguration)
        var received: [[UInt8]] = []
        for try await message in ws.messages {
            received.append(message.data)
            if received.count == 3 { break }
        }
        #expect(received == (0..<3).map(Self.payload), "three messages, intact and in order")
        let ranOnLoop = seen.onLoop.load(ordering: .relaxed)
        #expect(ranOnLoop, "the handler task runs on the loop")
        let pending = seen.pending.withLock { $0 }
        // The first two wait, unwritten, for the end of the round (none of it was written yet);
        // the third takes the Core past the batch and is flushed at once, the socket taking at
        // least part of it.
        #expect(pending.count == 4)
        if pending.count == 4 {
            #expect(pending[1] == pending[0] + Self.frameSize, "\(pending)")
            #expect(pending[2] == pending[0] + 2 * Self.frameSize, "\(pending)")
            #expect(pending[3] < pending[0] + 3 * Self.frameSize, "\(pending)")
        }
        _ = try await ws.close()
        await server.shutdown()
    }

    /// How many sends have returned.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }

        /// Waits up to `limit` for the count to reach `target`; returns the count.
        func waitFor(_ target: Int, limit: Duration = .seconds(10)) async -> Int {
            let deadline = ContinuousClock.now + limit
            while count < target, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
            return count
        }
    }

    /// Off the loop the same rule holds, as the loop last published it: with the loop busy
    /// (blocked here), two 100 KiB sends return at once, queued for it; the third would take
    /// the pending bytes past the batch and waits for the loop. Before, the first already
    /// waited: each message over the mark cost a suspension and a trip through the loop.
    @Test func offTheLoopSendsOverTheMarkDoNotWaitWhileTheSocketKeepsUp() async throws {
        let loop = EventLoop(name: "busy-loop")
        let (server, ws, received) = try await recordingServer(clientOn: loop)
        let release = DispatchSemaphore(value: 0)
        loop.execute { release.wait() }
        let sent = Counter()
        let sender = Task.detached {
            for index in 0..<3 {
                try await ws.send(.binary(Self.payload(index)))
                sent.increment()
            }
        }
        let beforeRelease = await sent.waitFor(2)
        try await Task.sleep(for: .milliseconds(100))
        let stillBlocked = sent.count
        release.signal()
        try await sender.value
        #expect(beforeRelease == 2, "two sends over the mark returned while the loop was busy")
        #expect(stillBlocked == 2, "the third, past the batch, waited for the loop")
        #expect(try await received.waitFor(3) == (0..<3).map(Self.payload), "three messages, intact and in order")
        _ = try await ws.close()
        loop.syncShutdown()
        await server.shutdown()
    }
}
