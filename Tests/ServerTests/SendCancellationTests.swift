import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// Cancelling a task whose `send` waits for a peer that does not read ends the wait with
/// `CancellationError`, off the loop and on it; the message was handed over already and still
/// arrives whole once the peer reads. Before, the task waited until the peer read or the
/// connection ended (forever, without keepalive): a timeout around `send` never fired.
@Suite("send: cancelling the wait for a peer that does not read", .timeLimit(.minutes(1)))
struct SendCancellationTests {
    /// More than the socket buffers hold once the receiver stopped reading: its receive
    /// buffer stays near its initial size (autotuning grows it only as the application reads),
    /// the sender's may grow to its maximum.
    static let big: [UInt8] = {
        var payload = [UInt8](repeating: 0x5a, count: TCPBufferLimits.receive(.initial) + TCPBufferLimits.send(.maximum) + (2 << 20))
        payload[0] = 1
        payload[payload.count - 1] = 2
        return payload
    }()

    static var noCompression: WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        configuration.maxQueuedMessages = 1  // the receiver stops reading once "fill" waits
        configuration.connection.maxMessageSize = 64 << 20
        configuration.connection.maxFrameSize = 64 << 20
        return configuration
    }

    /// What a cancelled send ended with, once it ended.
    final class Outcome: Sendable {
        private let value = Locked<String?>(nil)
        func set(_ text: String) { value.withLock { $0 = text } }
        var text: String? { value.withLock { $0 } }

        /// Waits up to 10 s for an outcome.
        func wait() async -> String? {
            let deadline = ContinuousClock.now + .seconds(10)
            while text == nil, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            return text
        }
    }

    static func describe(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return "returned"
        } catch is CancellationError {
            return "cancelled"
        } catch {
            return "\(error)"
        }
    }

    /// A client's task (off the loop) sends to a server whose handler reads nothing until told.
    @Test func aClientTasksSendEndsWhenCancelled() async throws {
        let gate = AsyncStream<Void>.makeStream()
        let received = Locked<[UInt8]?>(nil)  // the payload the server received
        var configuration = WebSocketServer.Configuration()
        configuration.connection = Self.noCompression
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            for await _ in gate.stream { break }
            _ = try? await ws.receive()  // "fill"
            if let message = try? await ws.receive() { received.withLock { $0 = message.data } }
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.noCompression)
        try await ws.send(text: "fill")
        let outcome = Outcome()
        let sender = Task.detached { outcome.set(await Self.describe { try await ws.send(.binary(Self.big)) }) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(outcome.text == nil, "the send waits while the server reads nothing")
        sender.cancel()
        #expect(await outcome.wait() == "cancelled")
        gate.continuation.yield()
        try await ws.send(text: "after")
        let deadline = ContinuousClock.now + .seconds(20)
        while received.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(received.withLock { $0 } == Self.big, "the cancelled send's message arrived whole")
        _ = try await ws.close()
        await server.shutdown()
    }

    /// A child of a server's handler task (on the loop) sends to a client that reads nothing;
    /// the handler cancels it.
    @Test func aHandlerChildTasksSendEndsWhenCancelled() async throws {
        let outcome = Outcome()
        let onLoop = Outcome()
        let waitingAtCancel = Outcome()
        var configuration = WebSocketServer.Configuration()
        configuration.connection = Self.noCompression
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            try? await ws.send(text: "fill")
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    onLoop.set("\(ws.loop.inEventLoop)")
                    outcome.set(await Self.describe { try await ws.send(.binary(Self.big)) })
                }
                try? await Task.sleep(for: .milliseconds(300))
                waitingAtCancel.set("\(outcome.text == nil)")
                group.cancelAll()
            }
            try? await ws.send(text: "after")
        }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.noCompression)
        #expect(await outcome.wait() == "cancelled")
        #expect(waitingAtCancel.text == "true", "the send waited while the client read nothing")
        #expect(onLoop.text == "true", "the child task ran on the connection's loop")
        #expect(try await ws.receive() == .text("fill"))
        #expect(try await ws.receive()?.data == Self.big, "the cancelled send's message arrived whole")
        #expect(try await ws.receive() == .text("after"))
        _ = try await ws.close()
        await server.shutdown()
    }
}
