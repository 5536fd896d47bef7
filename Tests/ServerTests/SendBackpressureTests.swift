import Synchronization
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketServer
import WebSocketTestSupport

/// Outbound backpressure of `send`: once more than ``WebSocket/Configuration/writeHighWaterMark``
/// waits to be written, `send` returns only after the peer has read enough, both where the
/// sending task runs on the connection's loop (a server's handler) and where it does not (a
/// client's task). Without it, a peer that stops reading would grow the sender's memory without
/// bound; with a waiter that is never resumed, the sender would hang once the peer reads again.
@Suite("send waits while the peer does not read", .timeLimit(.minutes(1)))
struct SendBackpressureTests {
    static let messageSize = 512 * 1024
    /// More than the kernel's socket buffers can hold on both sides together (their maxima, read
    /// from /proc where there is one: autotuning may grow a receive buffer to 32 MiB), so that
    /// a sender without backpressure would finish while the peer reads nothing.
    static let messageCount: Int = {
        let buffers = TCPBufferLimits.receive(.maximum) + TCPBufferLimits.send(.maximum)
        return max(64, buffers / messageSize + 16)
    }()

    /// How many sends have returned.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }

        /// Waits until the count has started and then stops growing (for `quiet`); returns it.
        func settle(quiet: Duration = .milliseconds(300)) async -> Int {
            _ = await waitFor(1)
            var last = -1
            while count != last {
                last = count
                try? await Task.sleep(for: quiet)
            }
            return last
        }

        func waitFor(_ target: Int) async -> Int {
            let deadline = ContinuousClock.now + .seconds(20)
            while count < target, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            return count
        }
    }

    static func payload(_ index: Int) -> [UInt8] { [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: messageSize) }

    static var noCompression: WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        configuration.maxQueuedMessages = 1  // the receiver stops reading its socket at once
        return configuration
    }

    /// A server's handler task (on the loop) sends to a client that reads nothing for a while.
    @Test func aHandlerTaskWaitsForTheClientToRead() async throws {
        let sent = Counter()
        var configuration = WebSocketServer.Configuration()
        configuration.connection = Self.noCompression
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for index in 0..<Self.messageCount {
                    try await ws.send(.binary(Self.payload(index)))
                    sent.increment()
                }
            } catch {}
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.noCompression)
        let stalled = await sent.settle()
        #expect(stalled > 0 && stalled < Self.messageCount, "sends went on while the client read nothing: \(stalled) of \(Self.messageCount)")
        var received = 0
        for try await message in ws.messages {
            #expect(message.data == Self.payload(received))
            received += 1
            if received == Self.messageCount { break }
        }
        #expect(received == Self.messageCount)
        #expect(await sent.waitFor(Self.messageCount) == Self.messageCount)
        // The last message is still the application's (no room for another): the closing
        // handshake must complete anyway, not wait for the close timeout.
        let info = try await ws.close()
        #expect(info.wasClean && info.code == .normalClosure, "\(info)")
        await server.shutdown()
    }

    /// A client's task (off the loop) sends to a server whose handler reads nothing until told.
    @Test func aClientTaskWaitsForTheServerToRead() async throws {
        let gate = AsyncStream<Void>.makeStream()
        let received = Counter()
        var configuration = WebSocketServer.Configuration()
        configuration.connection = Self.noCompression
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            for await _ in gate.stream { break }
            do {
                for try await message in ws.messages {
                    if message.data == Self.payload(received.count) { received.increment() }
                }
            } catch {}
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.noCompression)
        let sent = Counter()
        let sender = Task.detached {
            for index in 0..<Self.messageCount {
                try await ws.send(.binary(Self.payload(index)))
                sent.increment()
            }
        }
        let stalled = await sent.settle()
        #expect(stalled > 0 && stalled < Self.messageCount, "sends went on while the server read nothing: \(stalled) of \(Self.messageCount)")
        gate.continuation.yield()
        try await sender.value
        #expect(sent.count == Self.messageCount)
        #expect(await received.waitFor(Self.messageCount) == Self.messageCount, "every message arrived intact, in order")
        _ = try await ws.close()
        await server.shutdown()
    }
}
