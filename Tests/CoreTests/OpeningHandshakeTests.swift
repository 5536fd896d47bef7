import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// RFC 6455 §4 and PITFALLS.md "Handshake parsing".
@Suite("RFC 6455 §4 Opening handshake")
struct OpeningHandshakeTests {
    func client(_ configuration: Configuration = Configuration()) throws -> (Connection, String) {
        var connection = try Connection.client(
            host: "server.example.com", requestTarget: "/chat", configuration: configuration,
            random: SeededRandom(seed: 7))
        let request = String(decoding: connection.takeOutput(), as: UTF8.self)
        return (connection, request)
    }

    func handshakeError(_ connection: inout Connection) -> ConnectionError? {
        closedInfo(&connection)?.error
    }

    @Test func clientOpensOnAValidResponse() throws {
        var (connection, request) = try client()
        #expect(request.hasPrefix("GET /chat HTTP/1.1\r\n"))
        connection.receive(Harness.response(for: request))
        guard case .open = connection.nextEvent() else { Issue.record("not open"); return }
        #expect(connection.phase == .open)
    }

    @Test func wrongAcceptKeyFailsTheConnection() throws {
        var (connection, _) = try client()
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        connection.receive(Array(response.utf8))
        let error = try #require(handshakeError(&connection))
        guard case .handshake = error.kind else { Issue.record("\(error)"); return }
        #expect(connection.shouldCloseTransport)
        #expect(connection.takeOutput().isEmpty, "no close frame before the connection is open")
    }

    @Test func status200IsAClearHandshakeError() throws {
        var (connection, _) = try client()
        connection.receive(Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8))
        let error = try #require(handshakeError(&connection))
        #expect(error.description.contains("200"))
    }

    @Test func connectionHeaderIsACaseInsensitiveTokenList() throws {
        var (connection, request) = try client()
        var response = String(decoding: Harness.response(for: request), as: UTF8.self)
        response = response.replacingFirst("Connection: Upgrade", with: "connection: keep-alive, UPGRADE")
        response = response.replacingFirst("Upgrade: websocket", with: "upgrade: WebSocket")
        connection.receive(Array(response.utf8))
        guard case .open = connection.nextEvent() else { Issue.record("not open"); return }
    }

    @Test func subprotocolNotOfferedFails() throws {
        var configuration = Configuration()
        configuration.subprotocols = ["chat"]
        var (connection, request) = try client(configuration)
        connection.receive(Harness.response(for: request, extraHeaders: ["Sec-WebSocket-Protocol: superchat"]))
        #expect(handshakeError(&connection) != nil)
    }

    @Test func offeredSubprotocolIsAgreed() throws {
        var configuration = Configuration()
        configuration.subprotocols = ["chat", "superchat"]
        var (connection, request) = try client(configuration)
        #expect(request.contains("Sec-WebSocket-Protocol: chat, superchat"))
        connection.receive(Harness.response(for: request, extraHeaders: ["Sec-WebSocket-Protocol: superchat"]))
        #expect(connection.phase == .open)
        #expect(connection.subprotocol == "superchat")
    }

    @Test func extensionNotOfferedFails() throws {
        var (connection, request) = try client()
        connection.receive(Harness.response(for: request, extraHeaders: ["Sec-WebSocket-Extensions: permessage-deflate"]))
        #expect(handshakeError(&connection) != nil)
    }

    @Test func bytesAfterTheResponseHeadAreFrameData() throws {
        var (connection, request) = try client()
        let response = Harness.response(for: request) + Wire.frame(textOpcode, Array("early".utf8), masked: false)
        connection.receive(response)
        let events = connection.takeEvents()
        #expect(events.count == 2)
        if case .message(let message) = events.last { #expect(message == .text("early")) }
    }

    @Test func responseHeadSplitAcrossManyReadsIsParsed() throws {
        var (connection, request) = try client()
        for byte in Harness.response(for: request) { connection.receive([byte]) }
        #expect(connection.phase == .open)
    }

    @Test func ipv6HostIsBracketed() throws {
        var connection = try Connection.client(host: "::1", port: 9001)
        let request = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(request.contains("Host: [::1]:9001\r\n"))
    }

    @Test func serverAcceptsAndSendsTheAcceptKey() throws {
        var connection = Connection.server()
        connection.receive(Harness.request())
        guard case .upgradeRequest(let request) = connection.nextEvent() else { Issue.record("no request"); return }
        #expect(request.path == "/chat")
        try connection.accept()
        let response = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 101"))
        #expect(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(connection.phase == .open)
    }

    @Test func serverRejectsAWrongVersionWith426() throws {
        var connection = Connection.server()
        let request = String(decoding: Harness.request(), as: UTF8.self)
            .replacingFirst("Sec-WebSocket-Version: 13", with: "Sec-WebSocket-Version: 8")
        connection.receive(Array(request.utf8))
        let response = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 426"))
        #expect(response.contains("Sec-WebSocket-Version: 13"))
        #expect(connection.shouldCloseTransport)
    }

    /// RFC 7230 §3.2.5: a head over the limits gets a 4xx response, not a silent close (found by
    /// the `server-connection` fuzz seed `request-too-many-headers`).
    @Test(arguments: [
        (HTTPHeadLimits(maxHeaderCount: 3), "HTTP/1.1 431"),
        (HTTPHeadLimits(maxLineLength: 20), "HTTP/1.1 431"),
        (HTTPHeadLimits(maxLineLength: 10), "HTTP/1.1 414"),
        (HTTPHeadLimits(maxHeadSize: 100), "HTTP/1.1 431"),
    ])
    func serverAnswersAHeadOverTheLimitsWithItsStatus(limits: HTTPHeadLimits, status: String) throws {
        var configuration = Configuration()
        configuration.headLimits = limits
        var connection = Connection.server(configuration: configuration)
        connection.receive(Harness.request())
        let response = String(decoding: connection.takeOutput(), as: UTF8.self)
        #expect(response.hasPrefix(status), "\(response)")
        #expect(response.contains("Connection: close\r\n"))
        #expect(connection.shouldCloseTransport)
        #expect(closedInfo(&connection)?.code == .abnormalClosure)
    }

    @Test func serverAnswersMalformedSyntaxWith400() throws {
        var connection = Connection.server()
        connection.receive(Array("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n".utf8))
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 400"))
    }

    @Test func serverApplicationCanReject() throws {
        var connection = Connection.server()
        connection.receive(Harness.request(extraHeaders: ["Origin: https://evil.example"]))
        guard case .upgradeRequest(let request) = connection.nextEvent() else { Issue.record("no request"); return }
        #expect(request.origin == "https://evil.example")
        connection.reject(status: 403)
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).hasPrefix("HTTP/1.1 403"))
        #expect(connection.shouldCloseTransport && connection.lingersBeforeClosing,
                "the client may have sent bytes behind its request: no reset may destroy the 403")
        #expect(closedInfo(&connection)?.error?.kind == .upgradeRejected(status: 403))
    }

    @Test func serverPicksTheFirstConfiguredSubprotocolTheClientOffered() throws {
        var configuration = Configuration()
        configuration.subprotocols = ["v2", "v1"]
        var connection = Connection.server(configuration: configuration)
        connection.receive(Harness.request(extraHeaders: ["Sec-WebSocket-Protocol: v1, v2"]))
        _ = connection.nextEvent()
        try connection.accept()
        #expect(connection.subprotocol == "v2")
        #expect(String(decoding: connection.takeOutput(), as: UTF8.self).contains("Sec-WebSocket-Protocol: v2\r\n"))
    }

    @Test func redirectIsNotFollowed() throws {
        var (connection, _) = try client()
        connection.receive(Array("HTTP/1.1 301 Moved Permanently\r\nLocation: wss://elsewhere/\r\n\r\n".utf8))
        let error = try #require(handshakeError(&connection))
        #expect(error.description.contains("301"))
        // RFC 6455 §4.1: the client "handles the response per HTTP procedures": it keeps it.
        #expect(connection.refusedResponse?.status == 301)
        #expect(connection.refusedResponse?.headers.first("Location") == "wss://elsewhere/")
    }

    @Test func anAuthenticationChallengeIsKept() throws {
        var (connection, _) = try client()
        connection.receive(Array("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"chat\"\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(handshakeError(&connection) != nil)
        #expect(connection.refusedResponse?.status == 401)
        #expect(connection.refusedResponse?.headers.first("WWW-Authenticate") == #"Bearer realm="chat""#)
    }

    @Test func anAcceptedUpgradeKeepsNoRefusedResponse() throws {
        var (connection, request) = try client()
        connection.receive(Harness.response(for: request))
        #expect(connection.phase == .open)
        #expect(connection.refusedResponse == nil)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }

    func range(of target: String) -> Range<String.Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) { return index..<self.index(index, offsetBy: target.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
