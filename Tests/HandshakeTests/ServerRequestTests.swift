import Testing
import WebSocketHandshake

/// The RFC 6455 §1.2 request, as bytes.
let rfcExampleRequest = bytes("""
    GET /chat HTTP/1.1\r
    Host: server.example.com\r
    Upgrade: websocket\r
    Connection: Upgrade\r
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
    Origin: http://example.com\r
    Sec-WebSocket-Protocol: chat, superchat\r
    Sec-WebSocket-Version: 13\r
    \r

    """)

private let validHeaders: HTTPHeaders = [
    "Host": "server.example.com", "Upgrade": "websocket", "Connection": "Upgrade",
    "Sec-WebSocket-Key": sampleKey, "Sec-WebSocket-Version": "13",
]

private func request(
    method: String = "GET", target: String = "/chat", version: String = "HTTP/1.1",
    replacing changes: [(String, String?)] = [], adding extra: [(String, String)] = []
) -> HTTPRequestHead {
    var headers = validHeaders
    for (name, value) in changes {
        if let value { headers.replaceOrAppend(name: name, value: value) } else { headers.remove(name: name) }
    }
    for (name, value) in extra { headers.append(name: name, value: value) }
    return HTTPRequestHead(method: method, target: target, version: version, headers: headers)
}

private func validate(_ head: HTTPRequestHead) throws(HandshakeError) -> ServerHandshakeRequest {
    try ServerHandshakeRequest(validating: head)
}

@Suite("RFC 6455 §4.2.1 Reading the client's opening handshake")
struct ServerRequestTests {
    @Test func readsTheRFCExampleRequest() throws {
        var parser = HTTPHeadParser()
        let head = try #require(try parser.parse(rfcExampleRequest))
        let request = try validate(try HTTPRequestHead(head))
        #expect(request.method == "GET")
        #expect(request.target == "/chat")
        #expect(request.version == "HTTP/1.1")
        #expect(request.path == "/chat")
        #expect(request.query == nil)
        #expect(request.host == "server.example.com")
        #expect(request.key == sampleKey)
        #expect(request.origin == "http://example.com")
        #expect(request.subprotocols == ["chat", "superchat"])
        #expect(request.extensions.isEmpty)
        #expect(request.headers.count == 7)
    }

    @Test(arguments: [
        ("/chat", "/chat", nil), ("/chat?x=1", "/chat", "x=1"), ("/?", "/", ""), ("/a?b?c", "/a", "b?c"),
        ("/", "/", nil), ("ws://example.com/chat?x", "/chat", "x"), ("http://example.com", "/", nil),
        ("https://example.com:8443?q", "/", "q"), ("wss://[::1]:9001/a/b", "/a/b", nil),
    ] as [(String, String, String?)])
    func splitsPathAndQuery(target: String, path: String, query: String?) throws {
        let parsed = try validate(request(target: target))
        #expect(parsed.path == path)
        #expect(parsed.query == query)
        #expect(parsed.target == target)
    }

    /// Fragments "MUST NOT be used" (RFC 6455 §3); authority- and asterisk-form are not for GET.
    @Test(arguments: ["*", "example.com:80", "/a#b", "://x/", "1ws://h/", "ws://", "ws:///x", "", "/a b", "/é"])
    func rejectsInvalidTargets(target: String) {
        let error = expectError(.invalidRequestTarget) { try validate(request(target: target)) }
        #expect(error?.responseStatus == 400)
    }

    /// RFC 6455 §4.1: "The method of the request MUST be GET"; answered with 405 and Allow.
    @Test(arguments: ["POST", "get", "HEAD", "CONNECT", "OPTIONS"])
    func rejectsMethodsOtherThanGET(method: String) {
        let error = expectError(.invalidMethod(method)) { try validate(request(method: method)) }
        #expect(error?.responseStatus == 405)
    }

    /// RFC 6455 §4.1: "the HTTP version MUST be at least 1.1".
    @Test(arguments: ["HTTP/1.0", "HTTP/2.0", "HTTP/1", "junk"])
    func rejectsHTTPVersionsBelow11(version: String) {
        let error = expectError(.unsupportedHTTPVersion(version)) { try validate(request(version: version)) }
        #expect(error?.responseStatus == 400)
    }

    /// The version is checked before the method: an HTTP/1.0 request of any method gets 400,
    /// as when the head parser refused HTTP/1.0 itself.
    @Test func http10IsRefusedBeforeItsMethod() throws {
        let head = try parseHead(["POST /chat HTTP/1.0", "Host: a"])
        let error = expectError(.unsupportedHTTPVersion("HTTP/1.0")) { try ServerHandshakeRequest(validating: HTTPRequestHead(head)) }
        #expect(error?.responseStatus == 400)
    }

    @Test func rejectsHTTP10FromTheWire() throws {
        let head = try parseHead(["GET /chat HTTP/1.0", "Host: a"])
        expectError(.unsupportedHTTPVersion("HTTP/1.0")) { try ServerHandshakeRequest(validating: HTTPRequestHead(head)) }
    }

    @Test func acceptsHTTP12() throws {
        #expect(try validate(request(version: "HTTP/1.2")).version == "HTTP/1.2")
    }

    @Test func rejectsMissingHost() {
        let error = expectError(.missingHost) { try validate(request(replacing: [("Host", nil)])) }
        #expect(error?.responseStatus == 400)
    }

    @Test func rejectsEmptyHost() {
        expectError(.missingHost) { try validate(request(replacing: [("Host", "")])) }
    }

    /// RFC 7230 §5.4: more than one Host, or an invalid one, is a 400.
    @Test func rejectsDuplicateHost() {
        expectError(.duplicateHeader("Host")) { try validate(request(adding: [("Host", "other.example")])) }
    }

    @Test(arguments: ["a/b", "a b", "[::1", "a:b:c", "a:80x", "@evil", "[x]"])
    func rejectsInvalidHost(host: String) {
        expectError(.missingHost) { try validate(request(replacing: [("Host", host)])) }
    }

    @Test(arguments: ["example.com", "example.com:8080", "[::1]", "[::1]:9001", "127.0.0.1:80", "a:"])
    func acceptsHostForms(host: String) throws {
        #expect(try validate(request(replacing: [("Host", host)])).host == host)
    }

    @Test func rejectsMissingUpgrade() {
        let error = expectError(.missingUpgrade) { try validate(request(replacing: [("Upgrade", nil)])) }
        #expect(error?.responseStatus == 426)
    }

    @Test(arguments: ["h2c", "websockets", ""])
    func rejectsUpgradeWithoutWebSocket(value: String) {
        expectError(.missingUpgrade) { try validate(request(replacing: [("Upgrade", value)])) }
    }

    @Test func rejectsMissingConnection() {
        let error = expectError(.missingConnectionUpgrade) { try validate(request(replacing: [("Connection", nil)])) }
        #expect(error?.responseStatus == 426)
    }

    @Test(arguments: ["keep-alive", "close", "upgraded"])
    func rejectsConnectionWithoutUpgrade(value: String) {
        expectError(.missingConnectionUpgrade) { try validate(request(replacing: [("Connection", value)])) }
    }

    /// Firefox sends `Connection: keep-alive, Upgrade`; both headers are case-insensitive.
    @Test(arguments: [("WebSocket", "keep-alive, Upgrade"), ("WEBSOCKET", "upgrade"), ("websocket, h2c", "Upgrade, HTTP2-Settings")])
    func acceptsUpgradeAndConnectionVariants(upgrade: String, connection: String) throws {
        _ = try validate(request(replacing: [("Upgrade", upgrade), ("Connection", connection)]))
    }

    @Test func rejectsMissingVersion() {
        let error = expectError(.missingWebSocketVersion) { try validate(request(replacing: [("Sec-WebSocket-Version", nil)])) }
        #expect(error?.responseStatus == 426)
    }

    /// RFC 6455 §4.4: another version is answered with 426 and the versions we understand.
    @Test(arguments: ["8", "7", "12", "14", "", "13, 8", "013", "13.0"])
    func rejectsOtherVersions(version: String) {
        let error = expectError(.unsupportedWebSocketVersion(version)) {
            try validate(request(replacing: [("Sec-WebSocket-Version", version)]))
        }
        #expect(error?.responseStatus == 426)
    }

    @Test func rejectsTwoVersionHeaders() {
        expectError(.unsupportedWebSocketVersion("13, 8")) {
            try validate(request(adding: [("Sec-WebSocket-Version", "8")]))
        }
    }

    @Test func rejectsMissingKey() {
        let error = expectError(.missingKey) { try validate(request(replacing: [("Sec-WebSocket-Key", nil)])) }
        #expect(error?.responseStatus == 400)
    }

    @Test func rejectsDuplicateKey() {
        expectError(.duplicateHeader("Sec-WebSocket-Key")) {
            try validate(request(adding: [("Sec-WebSocket-Key", sampleKey)]))
        }
    }

    /// RFC 6455 §4.2.1 item 5: the key decodes to 16 bytes.
    @Test(arguments: ["", "abc", "dGhlIHNhbXBsZSBub25jZQ", "AAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA=",
                      "dGhlIHNhbXBsZSBub25jZR==", "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ=="])
    func rejectsInvalidKey(key: String) {
        let error = expectError(.invalidKey) { try validate(request(replacing: [("Sec-WebSocket-Key", key)])) }
        #expect(error?.responseStatus == 400)
    }

    @Test func readsOfferedSubprotocolsInOrder() throws {
        let parsed = try validate(request(adding: [("Sec-WebSocket-Protocol", "v3, v2"), ("Sec-WebSocket-Protocol", ",v1")]))
        #expect(parsed.subprotocols == ["v3", "v2", "v1"])
    }

    @Test(arguments: ["", " , ", "a b", "chat, (x)", "é"])
    func rejectsMalformedSubprotocolHeader(value: String) {
        let error = expectError(.malformedSubprotocolHeader) {
            try validate(request(adding: [("Sec-WebSocket-Protocol", value)]))
        }
        #expect(error?.responseStatus == 400)
    }

    @Test func readsOfferedExtensions() throws {
        let parsed = try validate(request(adding: [
            ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits, permessage-deflate"),
            ("Sec-WebSocket-Extensions", "x-foo; a=\"1\""),
        ]))
        #expect(parsed.extensions.map(\.name) == ["permessage-deflate", "permessage-deflate", "x-foo"])
        #expect(parsed.extensions[2].parameters == [ExtensionParameter(name: "a", value: "1")])
    }

    @Test(arguments: ["", "permessage-deflate;", "a b", "a; b=\"c d\""])
    func rejectsMalformedExtensionHeader(value: String) {
        let error = expectError(.malformedExtensionHeader) {
            try validate(request(adding: [("Sec-WebSocket-Extensions", value)]))
        }
        #expect(error?.responseStatus == 400)
    }

    @Test func originIsOptional() throws {
        #expect(try validate(request()).origin == nil)
    }
}
