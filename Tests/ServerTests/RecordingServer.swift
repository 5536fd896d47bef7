import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// The payloads a test server received, in order.
final class ReceivedPayloads: Sendable {
    private let payloads = Locked<[[UInt8]]>([])

    func append(_ payload: [UInt8]) { payloads.withLock { $0.append(payload) } }

    var all: [[UInt8]] { payloads.withLock { $0 } }

    /// Waits until `count` payloads arrived (20 s at most: the server's task may still be taking
    /// the last ones after a client's send or close returned); returns what arrived.
    func waitFor(_ count: Int) async throws -> [[UInt8]] {
        let deadline = ContinuousClock.now + .seconds(20)
        while payloads.withLock({ $0.count }) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return all
    }
}

/// A server without compression that records every message's payload, and a client (no
/// compression either) connected to it on `loop`, a loop of the test's own that it may keep
/// busy to hold the client's sends back.
func recordingServer(clientOn loop: EventLoop) async throws -> (WebSocketServer, WebSocket, ReceivedPayloads) {
    let received = ReceivedPayloads()
    var configuration = WebSocketServer.Configuration()
    configuration.connection.compression = nil
    let server = try WebSocketServer.start(configuration: configuration) { ws in
        do {
            for try await message in ws.messages { received.append(message.data) }
        } catch {}
    }
    var clientConfiguration = WebSocket.Configuration()
    clientConfiguration.compression = nil
    let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: clientConfiguration, loop: loop)
    return (server, ws, received)
}
