import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketServer

/// Configuration values a user may well write: refused with a typed error or given their
/// obvious meaning, never a trap or a silent hang.
@Suite("Configuration edge values", .timeLimit(.minutes(1)))
struct ConfigurationEdgeTests {
    /// `start(loops: [])` indexed an empty array (a trap).
    @Test func startWithNoLoopsThrows() {
        #expect(throws: WebSocketError.self) {
            _ = try WebSocketServer.start(loops: []) { _ in }
        }
    }

    /// A negative write high-water mark held back every write, the opening handshake's 101
    /// included, so the connection hung until the open timeout. It means 0: no buffering.
    @Test func aNegativeWriteHighWaterMarkMeansZero() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.writeHighWaterMark = -1
        configuration.connection.openTimeout = .seconds(30)
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
        }
        var client = WebSocket.Configuration()
        client.writeHighWaterMark = -5
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: client)
        try await ws.send(text: "through")
        #expect(try await ws.receive() == .text("through"))
        _ = try await ws.close()
        await server.shutdown()
    }
}
