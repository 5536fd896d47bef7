import Foundation
import Glibc
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// `Configuration.onEvent`: each connection's fate, and the listener's failures, reported.
@Suite("Server: events for logs and metrics", .timeLimit(.minutes(2)))
struct ServerEventTests {
    /// The events reported so far.
    final class Recorder: Sendable {
        let events = Locked<[ServerEvent]>([])

        func record(_ event: ServerEvent) { events.withLock { $0.append(event) } }

        /// Waits (polling) until `count` events came; returns them.
        func wait(for count: Int) async throws -> [ServerEvent] {
            for _ in 0..<3000 {
                let seen = events.withLock { $0 }
                if seen.count >= count { return seen }
                try await Task.sleep(for: .milliseconds(10))
            }
            return events.withLock { $0 }
        }
    }

    /// The events once `count` came and the server shut down: none may follow `shutdown`, so
    /// one reported twice shows in the count.
    static func events(_ recorder: Recorder, count: Int, of server: WebSocketServer) async throws -> [ServerEvent] {
        _ = try await recorder.wait(for: count)
        await server.shutdown()
        return recorder.events.withLock { $0 }
    }

    static func server(
        _ recorder: Recorder, _ configure: (inout WebSocketServer.Configuration) -> Void = { _ in },
        shouldUpgrade: @escaping @Sendable (UpgradeRequest) -> UpgradeDecision = { _ in .accept() }
    ) throws -> WebSocketServer {
        try ClientServerTests.echoServer({
            $0.onEvent = { recorder.record($0) }
            configure(&$0)
        }, shouldUpgrade: shouldUpgrade)
    }

    @Test func anOpenedConnectionIsReportedOpenedThenClosed() async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder)
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/chat?room=1")
        try await ws.close(code: .goingAway, reason: "bye")
        let events = try await Self.events(recorder, count: 2, of: server)
        try #require(events.count == 2, "\(events)")
        guard case .opened(let upgrade) = events[0].kind, case .closed(let info) = events[1].kind else {
            Issue.record("\(events)")
            return
        }
        #expect(upgrade.request.path == "/chat" && upgrade.request.query == "room=1")
        #expect(info.code == .goingAway && info.reason == "bye" && info.wasClean)
        let remote = try #require(events[0].remoteAddress)
        #expect(remote.hasPrefix("127.0.0.1:") && events[1].remoteAddress == remote)
        #expect(events[0].description == "\(remote): opened /chat?room=1")
        #expect(events[1].description == "\(remote): closed 1001 \"bye\"")
    }

    @Test(arguments: [ServerEvent.Refusal.connectionLimit, .addressLimit])
    func aRefusalSaysWhichLimit(_ limit: ServerEvent.Refusal) async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder) {
            if limit == .connectionLimit { $0.maxConnections = 1 } else { $0.maxConnectionsPerAddress = 1 }
        }
        let held = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        await #expect(throws: WebSocketError.self) { _ = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/") }
        try await held.close()
        let events = try await Self.events(recorder, count: 3, of: server)
        #expect(events.count == 3, "opened, refused, closed: \(events)")
        let refusals = events.compactMap { event -> ServerEvent.Refusal? in
            if case .refused(let refusal) = event.kind { return refusal } else { return nil }
        }
        #expect(refusals == [limit], "\(events)")
        #expect(events.contains { $0.description.hasSuffix("refused with 503 (\(limit))") })
    }

    /// A connection still open when the server stops: closed 1001 before `shutdown` returns.
    @Test func shutdownReportsTheConnectionsItCloses() async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder)
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        let events = try await Self.events(recorder, count: 1, of: server)
        #expect(events.count == 2, "\(events)")
        guard case .closed(let info)? = events.last?.kind else { Issue.record("\(events)"); return }
        #expect(info.code == .goingAway)
        _ = await ws.closed()
    }

    /// Refused by the application (403), invalid (400: no key), answered as a plain request
    /// (200), timed out before any request (no status): each reported once, with its status.
    @Test func connectionsThatNeverOpenedSayHowTheyEnded() async throws {
        let recorder = Recorder()
        var configuration = WebSocketServer.Configuration()
        configuration.connection.openTimeout = .milliseconds(300)
        configuration.onEvent = { recorder.record($0) }
        let server = try WebSocketServer.start(
            configuration: configuration,
            shouldUpgrade: { $0.request.path == "/private" ? .reject(status: 403) : .accept() },
            plainHTTP: { _ in PlainResponse(status: 200) }
        ) { _ in }
        let port = server.port
        let forbidden = try await RawClient.exchange(port: port, request: String(decoding: Harness.request(), as: UTF8.self)
            .replacingOccurrences(of: "GET /chat", with: "GET /private"), waitForClose: true)
        #expect(forbidden.hasPrefix("HTTP/1.1 403"))
        let invalid = try await RawClient.exchange(
            port: port, request: "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
            waitForClose: true)
        #expect(invalid.hasPrefix("HTTP/1.1 400"))
        let plain = try await RawClient.exchange(port: port, request: "GET /health HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: true)
        #expect(plain.hasPrefix("HTTP/1.1 200"))
        _ = try await RawClient.exchange(port: port, request: "", waitForClose: true)  // says nothing: the open timeout
        // Answered, then reset by the client during the server's lingering close: still an
        // answered request.
        let fd = try RawClient.open(port: port, sending: Array("GET /health HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        let (answer, _) = await RawClient.readUntilEOF(fd)
        #expect(String(decoding: answer.prefix(12), as: UTF8.self) == "HTTP/1.1 200")
        var reset = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        RawClient.close(fd)
        let events = try await Self.events(recorder, count: 5, of: server)
        #expect(events.count == 5, "\(events)")
        var statuses: [Int?] = []
        for event in events {
            switch event.kind {
            case .failedBeforeOpen(let status, let error):
                statuses.append(status)
                if status == nil { #expect("\(error)".contains("timeout") || "\(error)".contains("timed out"), "\(error)") }
            case .answeredPlainRequest(let status):
                statuses.append(status)
            default:
                Issue.record("unexpected \(event)")
            }
        }
        #expect(statuses == [403, 400, 200, nil, 200], "\(events)")
    }

    /// The status reported is the one sent: a hook's 600 goes out as 500.
    @Test func theStatusReportedIsTheOneSent() async throws {
        let recorder = Recorder()
        var configuration = WebSocketServer.Configuration()
        configuration.onEvent = { recorder.record($0) }
        let server = try WebSocketServer.start(configuration: configuration, plainHTTP: { _ in PlainResponse(status: 600) }) { _ in }
        let answer = try await RawClient.exchange(port: server.port, request: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: true)
        #expect(answer.hasPrefix("HTTP/1.1 500"))
        let events = try await Self.events(recorder, count: 1, of: server)
        guard events.count == 1, case .answeredPlainRequest(let status) = events[0].kind else { Issue.record("\(events)"); return }
        #expect(status == 500)
    }

    /// A client that is no TLS client at a wss:// server: failed before open, no status, a
    /// TLS error.
    @Test func aFailedTLSHandshakeIsReported() async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder) { $0.tls = try? TLSCertificates.server() }
        _ = try await RawClient.exchange(port: server.port, request: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: true)
        let events = try await Self.events(recorder, count: 1, of: server)
        guard events.count == 1, case .failedBeforeOpen(let status, let error) = events[0].kind,
              case .transport(let transport) = error.kind else {
            Issue.record("\(events)")
            return
        }
        #expect(status == nil)
        guard case .tls = transport.kind else { Issue.record("\(transport)"); return }
    }

    /// A connection without a PROXY header behind `proxyProtocol` (a balancer configured
    /// without it) is dropped by the listener, and says so.
    @Test func aMissingProxyHeaderIsReported() async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder) { $0.proxyProtocol = true }
        let answer = try await RawClient.exchange(
            port: server.port, request: String(decoding: Harness.request(), as: UTF8.self), waitForClose: true)
        #expect(answer.isEmpty)
        let events = try await Self.events(recorder, count: 1, of: server)
        try #require(events.count == 1, "\(events)")
        guard case .listenerFailure(let error) = events[0].kind, case .proxy(let message) = error.kind else {
            Issue.record("\(events)")
            return
        }
        #expect(message == "dropped: no valid PROXY protocol header")
        #expect(error.endpoint?.hasPrefix("127.0.0.1:") == true)
    }
}
