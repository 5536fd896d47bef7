import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// `WebSocketServer.start(shouldUpgrade:)` with an async decision (an auth lookup).
@Suite("Server: async upgrade decisions", .timeLimit(.minutes(2)))
struct AsyncUpgradeTests {
    /// Accepts `/ok` with a header after a real suspension, refuses anything else with 401.
    static func server(
        _ configure: (inout WebSocketServer.Configuration) -> Void = { _ in },
        decide: @escaping @Sendable (UpgradeRequest) async -> UpgradeDecision = { request in
            try? await Task.sleep(for: .milliseconds(20))
            return request.request.path == "/ok" ? .accept(headers: ["X-Decided": "async"]) : .reject(status: 401)
        }
    ) throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.openTimeout = .seconds(60)  // see PlainHTTPTests.server
        configure(&configuration)
        return try WebSocketServer.start(configuration: configuration, shouldUpgrade: decide) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
        }
    }

    /// A decision that records its start, sleeps 60 s and records its cancellation.
    static func sleepingDecision(
        started: Locked<Bool>, cancelled: Locked<Bool>
    ) -> @Sendable (UpgradeRequest) async -> UpgradeDecision {
        { _ in
            started.withLock { $0 = true }
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.withLock { $0 = true }
            }
            return .accept()
        }
    }

    /// Polls `flag` every 10 ms for up to 10 s; its value then.
    static func eventually(_ flag: Locked<Bool>) async throws -> Bool {
        var waited = 0
        while !flag.withLock({ $0 }) && waited < 1000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        return flag.withLock { $0 }
    }

    static func clientConfiguration() -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(60)
        return configuration
    }

    @Test func anAsyncAcceptOpensTheConnection() async throws {
        let server = try Self.server()
        let ws = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/ok", configuration: Self.clientConfiguration())
        #expect(ws.openInfo?.headers.first("X-Decided") == "async")
        try await ws.send(text: "hi")
        #expect(try await ws.receive() == .text("hi"))
        try await ws.close()
        await server.shutdown()
    }

    @Test func anAsyncRejectRefusesWithItsStatus() async throws {
        let server = try Self.server()
        do {
            _ = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/other", configuration: Self.clientConfiguration())
            Issue.record("a refused upgrade opened")
        } catch let error as WebSocketError {
            #expect(error.response?.status == 401, "\(error)")
        }
        await server.shutdown()
    }

    /// A frame the client sends while the decision runs waits in the socket, and is read once
    /// it accepts: reading resumes.
    @Test func framesBehindTheRequestAreReadAfterTheDecision() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.openTimeout = .seconds(60)  // see PlainHTTPTests.server
        configuration.connection.closeTimeout = .milliseconds(200)  // the raw client never answers the Close
        let server = try WebSocketServer.start(configuration: configuration, shouldUpgrade: { _ in
            try? await Task.sleep(for: .milliseconds(500))
            return .accept()
        }) { ws in
            if let message = try? await ws.receive() { try? await ws.send(message) }
        }
        let frame = Wire.frame(0x1, Array("early".utf8), masked: true)
        let reply = try await RawClient.exchange(
            port: server.port, bytes: Harness.request(), later: frame, delay: .milliseconds(100), waitForClose: true)
        let text = String(decoding: reply, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), "\(text)")
        #expect(reply.firstRange(of: Wire.frame(0x1, Array("early".utf8), masked: false)) != nil, "the early frame was echoed")
        await server.shutdown()
    }

    /// While the decision runs nothing is read: a client pushing bytes behind its request fills
    /// the sockets and stops, instead of filling the server's memory.
    @Test func nothingIsReadWhileTheDecisionRuns() async throws {
        let server = try Self.server { _ in } decide: { _ in
            try? await Task.sleep(for: .seconds(3))
            return .reject(status: 403)
        }
        let limit = 64 << 20
        let sent = try await RawClient.stuff(port: server.port, request: Harness.request(), limit: limit)
        #expect(sent < limit / 2, "\(sent) bytes taken while the decision ran")
        await server.shutdown()
    }

    /// A refusal lingers (RFC 9112 §9.6): the server half-closes after the 401 and reads and
    /// drops until the client closes (within 2 s). Reads are paused while an async decision
    /// runs, so frames a client sent behind its request (before the 101, which RFC 6455
    /// forbids) are all unread when the refusal goes out; closing with them unread makes the
    /// kernel reset the connection, which discards a 401 still in the send queue, and the
    /// client sees the reset (`ECONNRESET`) where a half-close gives it an EOF. Before, the
    /// server closed at once.
    @Test func aRefusalLingersUntilTheClientCloses() async throws {
        let server = try Self.server(decide: { _ in
            try? await Task.sleep(for: .milliseconds(300))
            return .reject(status: 401)
        })
        let fd = try RawClient.open(port: server.port, sending: Harness.request())
        try await Task.sleep(for: .milliseconds(100))  // the decision runs: reads are paused
        RawClient.sendMore(fd, [UInt8](repeating: 0x82, count: 64 << 10))
        let (reply, atEOF) = await RawClient.readUntilEOF(fd)
        #expect(String(decoding: reply.prefix(12), as: UTF8.self) == "HTTP/1.1 401", "\(reply.count) bytes")
        #expect(atEOF, "the server half-closed after its answer, rather than resetting the connection")
        RawClient.close(fd)
        var waited = 0
        while server.connectionCount > 0 && waited < 1000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(server.connectionCount == 0, "closed once the client closed")
        await server.shutdown()
    }

    /// A refused client that never closes does not hold its slot for the close timeout (60 s
    /// here): the linger of a connection that never opened ends within 2 s.
    @Test func aRefusedClientThatNeverClosesIsDroppedSoon() async throws {
        let server = try Self.server { $0.connection.closeTimeout = .seconds(60) }
        let fd = try RawClient.open(port: server.port, sending: Harness.request())
        defer { RawClient.close(fd) }
        let (reply, atEOF) = await RawClient.readUntilEOF(fd)
        #expect(String(decoding: reply.prefix(12), as: UTF8.self) == "HTTP/1.1 401" && atEOF)
        var waited = 0
        while server.connectionCount > 0 && waited < 2000 {  // up to 20 s, a third of the close timeout
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(server.connectionCount == 0, "the refused connection was still held after \(waited * 10) ms")
        await server.shutdown()
    }

    /// A decision slower than the open timeout: the connection is dropped without an answer and
    /// the decision's task is cancelled.
    @Test func theOpenTimeoutCancelsASlowDecision() async throws {
        let started = Locked(false)
        let cancelled = Locked(false)
        let server = try Self.server({ $0.connection.openTimeout = .seconds(2) },
                                     decide: Self.sleepingDecision(started: started, cancelled: cancelled))
        let reply = try await RawClient.exchange(port: server.port, bytes: Harness.request(), waitForClose: true)
        #expect(reply.isEmpty, "\(String(decoding: reply, as: UTF8.self))")
        #expect(started.withLock { $0 }, "the request was read and the decision started before the timeout")
        #expect(try await Self.eventually(cancelled))
        await server.shutdown()
    }

    /// Shutdown waits for a decision that ignores its cancellation (up to the close timeout),
    /// as it waits for handlers: no application code runs once it returned.
    @Test func shutdownWaitsForADecisionThatIgnoresCancellation() async throws {
        let started = Locked(false)
        let finished = Locked(false)
        // The server's loop is the test's, so that shutdown does not stop it (and wait for it).
        let loop = EventLoop(name: "async-upgrade-shutdown")
        defer { loop.syncShutdown() }
        var configuration = WebSocketServer.Configuration()
        configuration.connection.closeTimeout = .seconds(5)
        let server = try WebSocketServer.start(configuration: configuration, loops: [loop], shouldUpgrade: { _ in
            started.withLock { $0 = true }
            let deadline = ContinuousClock.now + .milliseconds(300)
            while ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }  // ignores cancellation
            finished.withLock { $0 = true }
            return .accept()
        }) { _ in }
        let exchange = Task { try await RawClient.exchange(port: server.port, bytes: Harness.request(), waitForClose: true) }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        await server.shutdown()
        #expect(finished.withLock { $0 })
        _ = try await exchange.value
    }

    /// Shutdown drops a connection whose decision is still running and cancels the decision.
    @Test func shutdownCancelsAPendingDecision() async throws {
        let started = Locked(false)
        let cancelled = Locked(false)
        let server = try Self.server(decide: Self.sleepingDecision(started: started, cancelled: cancelled))
        let exchange = Task { try await RawClient.exchange(port: server.port, bytes: Harness.request(), waitForClose: true) }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        await server.shutdown()
        #expect(try await exchange.value.isEmpty)
        #expect(server.connectionCount == 0)
        #expect(try await Self.eventually(cancelled))
    }
}
