import Testing
import WebSocketHandshake

private let deflateOffer = ExtensionElement(name: "permessage-deflate",
    parameters: [ExtensionParameter(name: "client_max_window_bits")])

private func handshake() throws(HandshakeError) -> ClientHandshake {
    try ClientHandshake(host: "server.example.com", port: nil, isSecure: false, requestTarget: "/chat",
        subprotocols: ["chat", "superchat"], extensions: [deflateOffer], key: sampleKey)
}

private func response(
    status: Int = 101, reason: String = "Switching Protocols", replacing changes: [(String, String?)] = [],
    adding extra: [(String, String)] = []
) -> HTTPResponseHead {
    var headers: HTTPHeaders = ["Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": sampleAccept]
    for (name, value) in changes {
        if let value { headers.replaceOrAppend(name: name, value: value) } else { headers.remove(name: name) }
    }
    for (name, value) in extra { headers.append(name: name, value: value) }
    return HTTPResponseHead(status: status, reason: reason, headers: headers)
}

private func validate(_ response: HTTPResponseHead) throws(HandshakeError) -> ClientHandshakeResult {
    try handshake().validate(response)
}

@Suite("RFC 6455 §4.1 Client requirements: validating the server's response")
struct ClientValidationTests {
    @Test func acceptsAMinimalResponse() throws {
        let result = try validate(response())
        #expect(result.subprotocol == nil)
        #expect(result.extensions.isEmpty)
        #expect(result.headers.first("Sec-WebSocket-Accept") == sampleAccept)
    }

    /// The RFC 6455 §1.3 response, as bytes.
    @Test func acceptsTheRFCExampleResponse() throws {
        let bytes = bytes("""
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            Sec-WebSocket-Protocol: chat\r
            \r

            """)
        var parser = HTTPHeadParser()
        let head = try #require(try parser.parse(bytes))
        let result = try validate(try HTTPResponseHead(head))
        #expect(result.subprotocol == "chat")
    }

    @Test func keepsAllResponseHeaders() throws {
        let result = try validate(response(adding: [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]))
        #expect(result.headers.values(for: "set-cookie") == ["a=1", "b=2"])
    }

    /// RFC 6455 §4.1: a status other than 101 is handled per HTTP; the client surfaces it.
    @Test(arguments: [200, 301, 302, 400, 401, 403, 404, 426, 500, 503, 100, 199])
    func rejectsStatusOtherThan101(status: Int) {
        let error = expectError(.unexpectedStatus(status)) { try validate(response(status: status, reason: "Nope")) }
        #expect(error?.message.contains(String(status)) == true)
    }

    @Test func rejectsMissingUpgrade() {
        expectError(.missingUpgrade) { try validate(response(replacing: [("Upgrade", nil)])) }
    }

    @Test(arguments: ["h2c", "websockets", "web socket", "", "websocket/13"])
    func rejectsUpgradeWithoutWebSocket(value: String) {
        expectError(.missingUpgrade) { try validate(response(replacing: [("Upgrade", value)])) }
    }

    /// ASCII case-insensitive, as a token list.
    @Test(arguments: ["WebSocket", "WEBSOCKET", "foo, websocket"])
    func acceptsUpgradeVariants(value: String) throws {
        _ = try validate(response(replacing: [("Upgrade", value)]))
    }

    @Test func rejectsMissingConnection() {
        expectError(.missingConnectionUpgrade) { try validate(response(replacing: [("Connection", nil)])) }
    }

    @Test(arguments: ["keep-alive", "close", "", "upgrades", "Upgrade-Insecure-Requests"])
    func rejectsConnectionWithoutUpgrade(value: String) {
        expectError(.missingConnectionUpgrade) { try validate(response(replacing: [("Connection", value)])) }
    }

    /// `Connection: keep-alive, Upgrade` (PITFALLS: Connection is a case-insensitive token list).
    @Test(arguments: ["upgrade", "UPGRADE", "keep-alive, Upgrade", "Upgrade, keep-alive", " keep-alive ,upgrade "])
    func acceptsConnectionVariants(value: String) throws {
        _ = try validate(response(replacing: [("Connection", value)]))
    }

    @Test func acceptsUpgradeTokenInASecondConnectionHeader() throws {
        _ = try validate(response(replacing: [("Connection", "keep-alive")], adding: [("Connection", "Upgrade")]))
    }

    @Test func rejectsMissingAccept() {
        expectError(.missingAccept) { try validate(response(replacing: [("Sec-WebSocket-Accept", nil)])) }
    }

    @Test(arguments: [
        "", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo", "S3PPLMBITXAQ9KYGZZHZRBK+XOO=", "dGhlIHNhbXBsZSBub25jZQ==",
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=x", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=, s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    ])
    func rejectsWrongAccept(value: String) {
        expectError(.invalidAccept) { try validate(response(replacing: [("Sec-WebSocket-Accept", value)])) }
    }

    @Test func rejectsDuplicateAccept() {
        expectError(.duplicateHeader("Sec-WebSocket-Accept")) {
            try validate(response(adding: [("Sec-WebSocket-Accept", sampleAccept)]))
        }
    }

    @Test(arguments: ["chat", "superchat"])
    func returnsTheSelectedSubprotocol(name: String) throws {
        #expect(try validate(response(adding: [("Sec-WebSocket-Protocol", name)])).subprotocol == name)
    }

    /// RFC 6455 §4.1: a subprotocol "that was not present in the client's handshake" MUST fail.
    @Test(arguments: ["mqtt", "Chat", "CHAT"])
    func rejectsSubprotocolNotOffered(name: String) {
        expectError(.unexpectedSubprotocol(name)) { try validate(response(adding: [("Sec-WebSocket-Protocol", name)])) }
    }

    @Test func rejectsSubprotocolWhenNoneOffered() throws {
        let plain = try ClientHandshake(host: "a", port: nil, isSecure: false, key: sampleKey)
        expectError(.unexpectedSubprotocol("chat")) {
            try plain.validate(response(adding: [("Sec-WebSocket-Protocol", "chat")]))
        }
    }

    @Test(arguments: ["chat, superchat", "", "chat,", "a b"])
    func rejectsSubprotocolHeaderThatIsNotOneToken(value: String) {
        expectError(.malformedSubprotocolHeader) { try validate(response(adding: [("Sec-WebSocket-Protocol", value)])) }
    }

    @Test func rejectsTwoSubprotocolHeaders() {
        expectError(.malformedSubprotocolHeader) {
            try validate(response(adding: [("Sec-WebSocket-Protocol", "chat"), ("Sec-WebSocket-Protocol", "chat")]))
        }
    }

    @Test func returnsAcceptedExtensionsWithTheirParameters() throws {
        let result = try validate(response(adding: [
            ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=10; server_no_context_takeover"),
        ]))
        #expect(result.extensions == [ExtensionElement(name: "permessage-deflate", parameters: [
            ExtensionParameter(name: "client_max_window_bits", value: "10"),
            ExtensionParameter(name: "server_no_context_takeover"),
        ])])
    }

    /// RFC 6455 §4.1: an extension "that was not present in the client's handshake" MUST fail.
    @Test(arguments: ["x-webkit-deflate-frame", "permessage-deflate, foo", "Permessage-Deflate"])
    func rejectsExtensionNotOffered(value: String) {
        let name = value.hasPrefix("permessage-deflate, ") ? "foo" : value
        expectError(.unexpectedExtension(name)) { try validate(response(adding: [("Sec-WebSocket-Extensions", value)])) }
    }

    @Test(arguments: ["", "permessage-deflate;", "permessage-deflate; x=\"a b\"", ","])
    func rejectsMalformedExtensionHeader(value: String) {
        expectError(.malformedExtensionHeader) {
            try validate(response(adding: [("Sec-WebSocket-Extensions", value)]))
        }
    }
}
