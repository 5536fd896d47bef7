import Testing
import WebSocketCore
import WebSocketHandshake
import WebSocketTestSupport

/// `Configuration.deliversPlainHTTPRequests`: a server that answers requests that are not
/// upgrades (health checks) itself, and still refuses broken upgrades with the RFC's statuses.
@Suite("Plain HTTP requests in the Core")
struct PlainHTTPCoreTests {
    private func server(delivers: Bool = true) -> Connection {
        var configuration = Configuration()
        configuration.deliversPlainHTTPRequests = delivers
        return Connection.server(configuration: configuration)
    }

    private func receive(_ connection: inout Connection, _ lines: [String], extra: String = "") {
        connection.receive(Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + extra).utf8))
    }

    @Test func aHealthCheckIsDeliveredAndAnswered() throws {
        var connection = server()
        receive(&connection, ["GET /health?deep=1 HTTP/1.1", "Host: a", "Connection: keep-alive"])
        guard case .plainHTTPRequest(let request) = connection.nextEvent() else { Issue.record("no plain request"); return }
        #expect(request.path == "/health")
        #expect(request.query == "deep=1")
        #expect(connection.takeOutput().isEmpty, "nothing is written before the application answers")
        #expect(connection.phase == .awaitingUpgradeDecision)
        try connection.respond(status: 200, headers: ["Content-Type": "text/plain"], body: Array("ok".utf8))
        let response = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(response == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        #expect(connection.phase == .closed)
        #expect(connection.shouldCloseTransport)
        #expect(connection.lingersBeforeClosing, "the client closes first, so that late bytes cannot reset the answer")
        let info = try #require(closedInfo(&connection))
        #expect(info.error == ConnectionError(.plainHTTPRequestAnswered(status: 200)))
    }

    @Test func withoutTheOptionAPlainRequestGets426() {
        var connection = server(delivers: false)
        receive(&connection, ["GET /health HTTP/1.1", "Host: a"])
        let response = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"))
        #expect(response.contains("Upgrade: websocket\r\n"))
        #expect(connection.phase == .closed)
    }

    /// A request that asks for a WebSocket but breaks RFC 6455 §4.2.1 is not handed over as a
    /// plain one: it gets the RFC's answer.
    @Test func aBrokenUpgradeIsStillRefused() {
        var connection = server()
        receive(&connection, ["GET /chat HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade",
                              "Sec-WebSocket-Key: \(Harness.key)", "Sec-WebSocket-Version: 8"])
        let events = connection.takeEvents()
        #expect(!events.contains { if case .plainHTTPRequest = $0 { true } else { false } })
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 426"))
    }

    /// `Upgrade: websocket` without `Connection: Upgrade`, or a proxy's leftovers of a real
    /// handshake (`Sec-WebSocket-Key` without `Upgrade`): the RFC's 426, not the hook.
    @Test(arguments: [["Upgrade: websocket"], ["Sec-WebSocket-Key: \(Harness.key)", "Sec-WebSocket-Version: 13"]])
    func halfAnUpgradeGets426(fields: [String]) {
        var connection = server()
        receive(&connection, ["GET /chat HTTP/1.1", "Host: a"] + fields)
        #expect(!connection.takeEvents().contains { if case .plainHTTPRequest = $0 { true } else { false } })
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"))
    }

    /// Without the option, HTTP/1.0 and other methods are refused as before plain requests
    /// existed: 400 for HTTP/1.0 whatever the method, 405 for a 1.1 POST.
    @Test(arguments: [("HEAD / HTTP/1.0", "HTTP/1.1 400 "), ("POST / HTTP/1.0", "HTTP/1.1 400 "), ("POST / HTTP/1.1", "HTTP/1.1 405 ")])
    func withoutTheOptionOldStatusesStay(line: String, status: String) {
        var connection = server(delivers: false)
        receive(&connection, [line, "Host: a"])
        let response = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(response.hasPrefix(status), "\(response)")
        // No body in an answer to HEAD (RFC 9110 §9.3.2).
        #expect(!line.hasPrefix("HEAD") || response.hasSuffix("Content-Length: 0\r\nConnection: close\r\n\r\n"))
    }

    @Test func aValidUpgradeStillOpens() throws {
        var connection = server()
        connection.receive(Harness.request())
        guard case .upgradeRequest = connection.nextEvent() else { Issue.record("no upgrade request"); return }
        #expect(throws: ConnectionError.self) { try connection.respond(status: 200) }
        try connection.accept()
        #expect(connection.phase == .open)
    }

    @Test func acceptDoesNotTakeAPlainRequest() throws {
        var connection = server()
        receive(&connection, ["GET / HTTP/1.1", "Host: a"])
        guard case .plainHTTPRequest = connection.nextEvent() else { Issue.record("no plain request"); return }
        #expect(throws: ConnectionError.self) { try connection.accept() }
        #expect(connection.phase == .awaitingUpgradeDecision)
        connection.reject(status: 404)
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(connection.phase == .closed)
        #expect(connection.lingersBeforeClosing, "a rejected plain request lingers as an answered one does")
        #expect(throws: ConnectionError.self) { try connection.respond(status: 200) }
    }

    @Test func headGetsNoBody() throws {
        var connection = server()
        receive(&connection, ["HEAD / HTTP/1.0"])
        guard case .plainHTTPRequest(let request) = connection.nextEvent() else { Issue.record("no plain request"); return }
        #expect(request.host == nil)
        try connection.respond(status: 200, body: Array("hello".utf8))
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
    }

    /// A body is refused before the application sees the request, with a lingering close so the
    /// body's arrival cannot reset the 413.
    @Test func aBodyIsRefusedWith413() {
        var connection = server()
        receive(&connection, ["POST /hook HTTP/1.1", "Host: a", "Content-Length: 4"], extra: "da")
        #expect(!connection.takeEvents().contains { if case .plainHTTPRequest = $0 { true } else { false } })
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 413 Content Too Large\r\n"))
        #expect(connection.phase == .closed)
        #expect(connection.lingersBeforeClosing)
    }

    /// Every answer before open lingers, the 4xx for a broken request or head included: the
    /// rest of the client's bytes may be on their way, and closing with them unread would
    /// reset the answer.
    @Test func everyRefusalBeforeOpenLingers() {
        let broken: [(lines: [String], status: String)] = [
            (["POST /hook HTTP/1.1", "Content-Length: 4"], "400"),          // no Host, a body declared
            (["GET /chat HTTP/1.1", "Host: a", "Upgrade: websocket"], "426"),  // no Connection: Upgrade
            (["GET /chat HTTP/1.1", "Host: a", "Bad Header: x"], "400"),       // a malformed head
            (["GET /chat HTTP/1.1", "Host: a", "X: " + String(repeating: "a", count: 9000)], "431"),
            (["GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1", "Host: a"], "414"),
            (["POST /chat HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade"], "405"),
        ]
        for (lines, status) in broken {
            var connection = server()
            receive(&connection, lines)
            #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 \(status) "), "\(lines)")
            #expect(connection.phase == .closed)
            #expect(connection.lingersBeforeClosing, "\(lines)")
        }
    }

    /// Bytes pipelined after the head are never read as frames or as a second request.
    @Test func bytesAfterTheHeadAreIgnored() throws {
        var connection = server()
        receive(&connection, ["GET /a HTTP/1.1", "Host: a"], extra: "GET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        var requests = 0
        while let event = connection.nextEvent() { if case .plainHTTPRequest = event { requests += 1 } }
        #expect(requests == 1)
        try connection.respond(status: 204)
        #expect(closedInfo(&connection) != nil)
        connection.receive(Array("more".utf8))
        #expect(connection.takeEvents().isEmpty)
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self) == "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
    }

    @Test func eofBeforeTheAnswerClosesWithoutLingering() throws {
        var connection = server()
        receive(&connection, ["GET / HTTP/1.1", "Host: a"])
        guard case .plainHTTPRequest = connection.nextEvent() else { Issue.record("no plain request"); return }
        connection.receiveEOF()
        #expect(connection.phase == .closed)
        #expect(throws: ConnectionError.self) { try connection.respond(status: 200) }
        #expect(connection.takeOutput().isEmpty)
        #expect(!connection.lingersBeforeClosing)
    }
}
