import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketServer
import WebSocketTransport

/// Every awaiting call on a connection whose event loop has stopped returns or throws at once:
/// a stopped loop takes no task, so a call that waited for one would wait forever. (The loop's
/// shutdown closes the connection first: 1006, not clean.)
@Suite("calls after the connection's loop stopped", .timeLimit(.minutes(1)))
struct CallsAfterShutdownTests {
    /// A server that reads and drops every message.
    static func drainingServer() throws -> WebSocketServer {
        try WebSocketServer.start(configuration: WebSocketServer.Configuration()) { ws in
            do { for try await _ in ws.messages {} } catch {}
        }
    }

    /// A client connection on a loop of its own, and that loop stopped under it; with
    /// `closingFirst`, after a normal close.
    static func connectionOnAStoppedLoop(closingFirst: Bool = false) async throws -> (WebSocketServer, WebSocket) {
        let server = try drainingServer()
        let loop = EventLoop(name: "stopped-loop")
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", loop: loop)
        if closingFirst { try await ws.close() }
        loop.syncShutdown()
        return (server, ws)
    }

    /// The transport error a call reports when it needed the stopped loop.
    static func isLoopShutdown(_ error: WebSocketError?) -> Bool {
        guard case .transport(let transport)? = error?.kind else { return false }
        return transport.kind == .eventLoopShutdown
    }

    /// `send` off the loop: the loop can take no task, so `send` throws `eventLoopShutdown`
    /// instead of waiting forever for a loop task that never runs (what the slow path did when
    /// it submitted with `execute`), whether the connection was closed before or the loop's
    /// shutdown closed it.
    @Test func sendAfterACloseThrowsEventLoopShutdown() async throws {
        let (server, ws) = try await Self.connectionOnAStoppedLoop(closingFirst: true)
        let error = await #expect(throws: WebSocketError.self) { try await ws.send(text: "late") }
        #expect(Self.isLoopShutdown(error))
        await server.shutdown()
    }

    @Test func sendUnderAConnectionTheShutdownClosedThrows() async throws {
        let (server, ws) = try await Self.connectionOnAStoppedLoop()
        let text = await #expect(throws: WebSocketError.self) { try await ws.send(text: "late") }
        #expect(Self.isLoopShutdown(text))
        let binary = await #expect(throws: WebSocketError.self) { try await ws.send(binary: [1, 2, 3]) }
        #expect(Self.isLoopShutdown(binary))
        await server.shutdown()
    }

    @Test func closedReportsHowTheShutdownEndedTheConnection() async throws {
        let (server, ws) = try await Self.connectionOnAStoppedLoop()
        let info = await ws.closed()
        #expect(info.code == .abnormalClosure)
        #expect(!info.wasClean)
        await server.shutdown()
    }

    @Test func closePingAndFragmentsThrowEventLoopShutdown() async throws {
        let (server, ws) = try await Self.connectionOnAStoppedLoop()
        let closing = await #expect(throws: WebSocketError.self) { try await ws.close() }
        #expect(Self.isLoopShutdown(closing))
        let pinging = await #expect(throws: WebSocketError.self) { try await ws.ping() }
        #expect(Self.isLoopShutdown(pinging))
        let fragment = await #expect(throws: WebSocketError.self) {
            try await ws.sendFragment([1], opcode: .binary, isFinal: false)
        }
        #expect(Self.isLoopShutdown(fragment))
        await server.shutdown()
    }

    @Test func handleMessagesEndsAsTheMessagesDo() async throws {
        let (server, ws) = try await Self.connectionOnAStoppedLoop()
        // The connection ended abnormally (1006): both ways of reading report it.
        await #expect(throws: WebSocketError.self) { for try await _ in ws.messages {} }
        await #expect(throws: WebSocketError.self) { try await ws.handleMessages { _ in } }
        await server.shutdown()
    }

    @Test func connectingOnAStoppedLoopThrows() async throws {
        let server = try Self.drainingServer()
        let loop = EventLoop(name: "stopped-loop")
        loop.syncShutdown()
        await #expect(throws: WebSocketError.self) {
            _ = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", loop: loop)
        }
        await server.shutdown()
    }
}
