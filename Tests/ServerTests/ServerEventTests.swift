import Foundation
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
        let events = try await recorder.wait(for: 2)
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
        await server.shutdown()
    }

    @Test func aRefusalSaysWhichLimit() async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder) { $0.maxConnections = 1 }
        let held = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        await #expect(throws: WebSocketError.self) { _ = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/") }
        let events = try await recorder.wait(for: 2)
        #expect(events.count == 2)
        let refusals = events.compactMap { event -> ServerEvent.Refusal? in
            if case .refused(let refusal) = event.kind { return refusal } else { return nil }
        }
        #expect(refusals == [.connectionLimit], "\(events)")
        #expect(events.contains { $0.description.hasSuffix("refused with 503 (maxConnections reached)") })
        try await held.close()
        await server.shutdown()
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
        let events = try await recorder.wait(for: 4)
        #expect(events.count == 4, "\(events)")
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
        #expect(statuses == [403, 400, 200, nil], "\(events)")
        await server.shutdown()
    }

    /// A connection without a PROXY header behind `proxyProtocol` (a balancer configured
    /// without it) is dropped by the listener, and says so.
    @Test func aMissingProxyHeaderIsReported() async throws {
        let recorder = Recorder()
        let server = try Self.server(recorder) { $0.proxyProtocol = true }
        let answer = try await RawClient.exchange(
            port: server.port, request: String(decoding: Harness.request(), as: UTF8.self), waitForClose: true)
        #expect(answer.isEmpty)
        let events = try await recorder.wait(for: 1)
        try #require(events.count == 1, "\(events)")
        guard case .listenerFailure(let error) = events[0].kind, case .proxy(let message) = error.kind else {
            Issue.record("\(events)")
            return
        }
        #expect(message == "dropped: no valid PROXY protocol header")
        #expect(error.endpoint?.hasPrefix("127.0.0.1:") == true)
        await server.shutdown()
    }
}
