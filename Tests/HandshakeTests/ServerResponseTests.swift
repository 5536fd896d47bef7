import Testing
import WebSocketHandshake

private func exampleRequest(extensions: String? = nil) throws -> ServerHandshakeRequest {
    var headers: HTTPHeaders = [
        "Host": "server.example.com", "Upgrade": "websocket", "Connection": "Upgrade",
        "Sec-WebSocket-Key": sampleKey, "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": "chat, superchat",
    ]
    if let extensions { headers.append(name: "Sec-WebSocket-Extensions", value: extensions) }
    return try ServerHandshakeRequest(validating: HTTPRequestHead(method: "GET", target: "/chat", headers: headers))
}

/// Parses a response we built: the head and the body that follows it.
private func parseResponse(_ bytes: [UInt8]) throws -> (HTTPResponseHead, [UInt8]) {
    var parser = HTTPHeadParser()
    let head = try #require(try parser.parse(bytes))
    return (try HTTPResponseHead(head), parser.remainder)
}

@Suite("RFC 6455 §4.2.2 Sending the server's opening handshake")
struct ServerAcceptTests {
    /// The RFC 6455 §1.3 response, byte for byte.
    @Test func encodesTheRFCExampleResponse() throws {
        let response = try ServerHandshakeResponse.accept(try exampleRequest(), subprotocol: "chat")
        #expect(String(decoding: response, as: UTF8.self) == """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            Sec-WebSocket-Protocol: chat\r
            \r

            """)
    }

    @Test func omitsSubprotocolAndExtensionsWhenNoneChosen() throws {
        let (head, body) = try parseResponse(try ServerHandshakeResponse.accept(try exampleRequest()))
        #expect(head.status == 101)
        #expect(head.headers.map(\.name) == ["Upgrade", "Connection", "Sec-WebSocket-Accept"])
        #expect(body.isEmpty)
    }

    @Test func writesAcceptedExtensionsAndAdditionalHeaders() throws {
        let request = try exampleRequest(extensions: "permessage-deflate; client_max_window_bits")
        let accepted = ExtensionElement(name: "permessage-deflate",
            parameters: [ExtensionParameter(name: "client_max_window_bits", value: "10")])
        let bytes = try ServerHandshakeResponse.accept(request, extensions: [accepted],
            additionalHeaders: ["Set-Cookie": "a=1", "X-Server": "swift"])
        let (head, _) = try parseResponse(bytes)
        #expect(head.headers.values(for: "Sec-WebSocket-Extensions") == ["permessage-deflate; client_max_window_bits=10"])
        #expect(Array(head.headers.map(\.name).suffix(2)) == ["Set-Cookie", "X-Server"])
    }

    /// RFC 6455 §4.2.2: the subprotocol MUST be one the client offered.
    @Test(arguments: ["mqtt", "Chat", ""])
    func refusesSubprotocolNotOffered(name: String) throws {
        let request = try exampleRequest()
        let error = expectError(.unexpectedSubprotocol(name)) {
            try ServerHandshakeResponse.accept(request, subprotocol: name)
        }
        #expect(error?.responseStatus == 500)
    }

    @Test func refusesExtensionNotOffered() throws {
        let request = try exampleRequest(extensions: "permessage-deflate")
        expectError(.unexpectedExtension("x-foo")) {
            try ServerHandshakeResponse.accept(request, extensions: [ExtensionElement(name: "x-foo")])
        }
    }

    @Test func refusesInvalidExtension() throws {
        let request = try exampleRequest(extensions: "permessage-deflate")
        let bad = ExtensionElement(name: "permessage-deflate", parameters: [ExtensionParameter(name: "a", value: "\r\n")])
        expectError(.invalidExtension("permessage-deflate")) { try ServerHandshakeResponse.accept(request, extensions: [bad]) }
    }

    @Test(arguments: ["a\rb", "a\nb", "a\u{0}b", "x\r\nSet-Cookie: evil=1", " lead"])
    func refusesInvalidHeaderValues(value: String) throws {
        let request = try exampleRequest()
        expectError(.invalidHeaderValue(name: "X-Custom")) {
            try ServerHandshakeResponse.accept(request, additionalHeaders: ["X-Custom": value])
        }
    }

    @Test(arguments: ServerHandshakeResponse.reservedHeaderNames + ["sec-websocket-accept"])
    func refusesHeadersTheHandshakeOwns(name: String) throws {
        let request = try exampleRequest()
        expectError(.reservedHeader(name)) {
            try ServerHandshakeResponse.accept(request, additionalHeaders: [name: "x"])
        }
    }

    @Test func refusesInvalidHeaderNames() throws {
        let request = try exampleRequest()
        expectError(.invalidHeaderName("X Y")) {
            try ServerHandshakeResponse.accept(request, additionalHeaders: ["X Y": "x"])
        }
    }
}

@Suite("RFC 6455 §4.2.1 Refusing the handshake with an HTTP error")
struct ServerRejectTests {
    @Test(arguments: [
        (400, "Bad Request"), (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed"),
        (414, "URI Too Long"), (426, "Upgrade Required"), (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"), (503, "Service Unavailable"), (401, "Unauthorized"), (599, ""),
    ])
    func usesStandardReasonPhrases(status: Int, reason: String) throws {
        let (head, body) = try parseResponse(ServerHandshakeResponse.reject(status: status, body: bytes("no")))
        #expect(head.version == "HTTP/1.1")
        #expect(head.status == status)
        #expect(head.reason == reason)
        #expect(head.headers.values(for: "Content-Length") == ["2"])
        #expect(head.headers.values(for: "Connection") == ["close"])
        #expect(body == bytes("no"))
    }

    @Test func encodesAMinimalRejection() {
        #expect(String(decoding: ServerHandshakeResponse.reject(status: 403), as: UTF8.self)
            == "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func usesACustomReasonAndHeaders() throws {
        let bytes = ServerHandshakeResponse.reject(status: 302, reason: "Go There",
            headers: ["Location": "wss://other.example/", "Content-Type": "text/plain"])
        let (head, _) = try parseResponse(bytes)
        #expect(head.reason == "Go There")
        #expect(head.headers.map(\.name) == ["Location", "Content-Type", "Content-Length", "Connection"])
    }

    @Test(arguments: ["Bad\r\nX: y", "Bad\u{0}", "\n"])
    func replacesInvalidReasons(reason: String) throws {
        let (head, _) = try parseResponse(ServerHandshakeResponse.reject(status: 400, reason: reason))
        #expect(head.reason == "Bad Request")
        #expect(head.headers.count == 2)
    }

    /// `reject(status:)` cannot throw, so it drops what it may not send.
    @Test func dropsInvalidAndOwnedHeaders() throws {
        let headers: HTTPHeaders = [
            "X-Bad": "a\r\nInjected: 1", "X Bad": "x", "Content-Length": "99", "connection": "keep-alive",
            "Transfer-Encoding": "chunked", "X-Good": "ok",
        ]
        let (head, body) = try parseResponse(ServerHandshakeResponse.reject(status: 400, headers: headers, body: [1]))
        #expect(head.headers.map(\.name) == ["X-Good", "Content-Length", "Connection"])
        #expect(head.headers.first("Content-Length") == "1")
        #expect(body == [1])
    }

    @Test(arguments: [99, 100, 101, 199, 600, -1, 1000])
    func replacesStatusesOutsideTheRange(status: Int) throws {
        let (head, _) = try parseResponse(ServerHandshakeResponse.reject(status: status))
        #expect(head.status == 500)
    }

    /// RFC 7230 §3.3.2: no Content-Length (and no body) in a 204; none for 304 either.
    @Test(arguments: [204, 304])
    func sendsNoBodyFor204And304(status: Int) throws {
        let (head, body) = try parseResponse(ServerHandshakeResponse.reject(status: status, body: [1, 2]))
        #expect(!head.headers.contains("Content-Length"))
        #expect(body.isEmpty)
    }

    /// RFC 7230 §6.7: Upgrade goes with `Connection: upgrade`.
    @Test func addsUpgradeToConnectionWhenSendingUpgrade() throws {
        let (head, _) = try parseResponse(ServerHandshakeResponse.reject(status: 426, headers: ["Upgrade": "websocket"]))
        #expect(head.headers.first("Connection") == "Upgrade, close")
    }

    /// RFC 6455 §4.4: 426 with the versions we understand; RFC 7231 §6.5.15: and Upgrade.
    @Test func rejectsAnUnsupportedVersionWith426() throws {
        let (head, body) = try parseResponse(ServerHandshakeResponse.reject(HandshakeError(.unsupportedWebSocketVersion("8"))))
        #expect(head.status == 426)
        #expect(head.reason == "Upgrade Required")
        #expect(head.headers.first("Sec-WebSocket-Version") == "13")
        #expect(head.headers.first("Upgrade") == "websocket")
        #expect(head.headers.first("Connection") == "Upgrade, close")
        #expect(head.headers.first("Content-Type") == "text/plain; charset=utf-8")
        #expect(String(decoding: body, as: UTF8.self).contains("\"8\""))
    }

    /// RFC 7231 §6.5.5: "The origin server MUST generate an Allow header field in a 405 response".
    @Test func rejectsAWrongMethodWith405AndAllow() throws {
        let (head, _) = try parseResponse(ServerHandshakeResponse.reject(HandshakeError(.invalidMethod("POST"))))
        #expect(head.status == 405)
        #expect(head.headers.first("Allow") == "GET")
        #expect(head.headers.first("Connection") == "close")
    }

    @Test(arguments: [
        (HandshakeError.Kind.startLineTooLong, 414), (.headerLineTooLong, 431), (.tooManyHeaders, 431),
        (.headTooLarge, 431), (.invalidKey, 400), (.missingHost, 400), (.malformedExtensionHeader, 400),
        (.missingUpgrade, 426), (.unsupportedWebSocketVersion("7"), 426),
    ])
    func rejectsErrorsWithTheirStatus(kind: HandshakeError.Kind, status: Int) throws {
        let error = HandshakeError(kind)
        let (head, body) = try parseResponse(ServerHandshakeResponse.reject(error))
        #expect(head.status == status)
        #expect(head.headers.first("Content-Length") == String(body.count))
        #expect(String(decoding: body, as: UTF8.self) == error.message + "\n")
    }
}
