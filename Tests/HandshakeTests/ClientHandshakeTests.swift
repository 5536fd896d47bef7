import Testing
import WebSocketHandshake

private func client(
    host: String = "server.example.com", port: Int? = nil, isSecure: Bool = false,
    target: String = "/chat", subprotocols: [String] = [], extensions: [ExtensionElement] = [],
    headers: HTTPHeaders = HTTPHeaders(), key: String = sampleKey
) throws(HandshakeError) -> ClientHandshake {
    try ClientHandshake(host: host, port: port, isSecure: isSecure, requestTarget: target,
        subprotocols: subprotocols, extensions: extensions, additionalHeaders: headers, key: key)
}

private func requestHead(_ handshake: ClientHandshake) throws -> HTTPRequestHead {
    var parser = HTTPHeadParser()
    let head = try #require(try parser.parse(handshake.encodedRequest()))
    #expect(parser.remainder.isEmpty)
    return try HTTPRequestHead(head)
}

@Suite("RFC 6455 §4.1 Client requirements: the opening handshake request")
struct ClientRequestTests {
    /// The RFC 6455 §1.2 request, in our header order.
    @Test func encodesTheRFCExampleRequest() throws {
        let handshake = try client(subprotocols: ["chat", "superchat"], headers: ["Origin": "http://example.com"])
        let expected = """
            GET /chat HTTP/1.1\r
            Host: server.example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Protocol: chat, superchat\r
            Origin: http://example.com\r
            \r

            """
        #expect(String(decoding: handshake.encodedRequest(), as: UTF8.self) == expected)
        #expect(handshake.key == sampleKey)
        #expect(handshake.expectedAccept == sampleAccept)
    }

    @Test func offersExtensions() throws {
        let offer = ExtensionElement(name: "permessage-deflate",
            parameters: [ExtensionParameter(name: "client_max_window_bits")])
        let request = try requestHead(try client(extensions: [offer, ExtensionElement(name: "foo")]))
        #expect(request.headers.values(for: "Sec-WebSocket-Extensions")
            == ["permessage-deflate; client_max_window_bits, foo"])
    }

    /// No empty `Sec-WebSocket-Extensions` or `Sec-WebSocket-Protocol` (uWS.js #76).
    @Test func omitsEmptyOptionalHeaders() throws {
        let request = try requestHead(try client())
        #expect(!request.headers.contains("Sec-WebSocket-Extensions"))
        #expect(!request.headers.contains("Sec-WebSocket-Protocol"))
        #expect(request.headers.count == 5)
    }

    /// RFC 6455 §4.1 item 4: the port only if it is not the default; IPv6 in brackets, without
    /// a zone ID.
    @Test(arguments: [
        ("example.com", nil, false, "example.com"),
        ("example.com", 80, false, "example.com"),
        ("example.com", 443, true, "example.com"),
        ("example.com", 443, false, "example.com:443"),
        ("example.com", 80, true, "example.com:80"),
        ("example.com", 8080, false, "example.com:8080"),
        ("example.com", 8443, true, "example.com:8443"),
        ("127.0.0.1", 9001, false, "127.0.0.1:9001"),
        ("::1", nil, false, "[::1]"),
        ("::1", 8080, false, "[::1]:8080"),
        ("[::1]", 9000, true, "[::1]:9000"),
        ("[2001:db8::1]", 443, true, "[2001:db8::1]"),
        ("2001:db8::ffff:192.0.2.1", nil, true, "[2001:db8::ffff:192.0.2.1]"),
        ("xn--bcher-kva.example", nil, false, "xn--bcher-kva.example"),
        // RFC 6874 §4: the zone ID has only local significance; the client MUST remove it.
        ("fe80::1%eth0", 9000, false, "[fe80::1]:9000"),
        ("[fe80::1%eth0]", nil, true, "[fe80::1]"),
    ] as [(String, Int?, Bool, String)])
    func writesHost(host: String, port: Int?, isSecure: Bool, expected: String) throws {
        let request = try requestHead(try client(host: host, port: port, isSecure: isSecure))
        #expect(request.headers.values(for: "Host") == [expected])
    }

    @Test(arguments: ["", "exa mple.com", "example.com/x", "a\r\nX: y", "[::1", "[]", "::1]", "ex@mple.com",
                      "bücher.example", "example.com\u{0}", "[example.com]", "a?b", "a#b"])
    func rejectsInvalidHosts(host: String) {
        expectError(.invalidHost) { try client(host: host) }
    }

    @Test(arguments: [0, -1, 65536, Int.max, Int.min])
    func rejectsInvalidPorts(port: Int) {
        expectError(.invalidPort(port)) { try client(port: port) }
    }

    @Test(arguments: ["/", "/chat?room=1&x=%20", "/a/b;c=d", "/?"])
    func acceptsRequestTargets(target: String) throws {
        #expect(try requestHead(try client(target: target)).target == target)
    }

    /// Origin-form only, visible ASCII, no fragment (RFC 6455 §3: fragments "MUST NOT be used").
    @Test(arguments: ["", "chat", "*", "/a b", "/a#frag", "/a\r\nX: y", "/a\u{0}", "/é", "http://x/", "/\t"])
    func rejectsInvalidRequestTargets(target: String) {
        expectError(.invalidRequestTarget) { try client(target: target) }
    }

    /// RFC 6455 §4.1 item 10: subprotocols are tokens and "MUST all be unique strings".
    @Test(arguments: ["", "a b", "a,b", "chat\r\n", "é", "(x)"])
    func rejectsInvalidSubprotocols(name: String) {
        expectError(.invalidSubprotocol(name)) { try client(subprotocols: ["chat", name]) }
    }

    @Test func rejectsDuplicateSubprotocols() {
        expectError(.duplicateSubprotocol("chat")) { try client(subprotocols: ["chat", "v2", "chat"]) }
    }

    @Test func rejectsInvalidExtensions() {
        expectError(.invalidExtension("a b")) { try client(extensions: [ExtensionElement(name: "a b")]) }
        let badValue = ExtensionElement(name: "x", parameters: [ExtensionParameter(name: "p", value: "1\r\n")])
        expectError(.invalidExtension("x")) { try client(extensions: [badValue]) }
    }

    @Test(arguments: ["", "abc", "dGhlIHNhbXBsZSBub25jZQ", "AAAAAAAAAAAAAAAAAAAA", "dGhlIHNhbXBsZSBub25jZQ==\r\nX: y"])
    func rejectsInvalidKeys(key: String) {
        expectError(.invalidKey) { try client(key: key) }
    }

    @Test(arguments: ClientHandshake.reservedHeaderNames + ["host", "SEC-WEBSOCKET-KEY", "connection"])
    func rejectsHeadersTheHandshakeOwns(name: String) {
        expectError(.reservedHeader(name)) { try client(headers: [name: "x"]) }
    }

    @Test(arguments: ["", "X Y", "X:Y", "X\r\nY", "Orígin"])
    func rejectsInvalidHeaderNames(name: String) {
        expectError(.invalidHeaderName(name)) { try client(headers: [name: "x"]) }
    }

    /// A value with CR, LF or NUL is refused before anything is built: no header injection.
    @Test(arguments: ["a\rb", "a\nb", "a\u{0}b", "x\r\nInjected: 1", "\u{1}", "a\u{7F}", " lead", "trail "])
    func rejectsInvalidHeaderValues(value: String) {
        expectError(.invalidHeaderValue(name: "X-Custom")) { try client(headers: ["X-Custom": value]) }
    }

    @Test func writesAdditionalHeadersInOrder() throws {
        let headers: HTTPHeaders = ["Origin": "https://a.example", "Cookie": "a=1", "X-Tab": "a\tb", "Cookie": "b=2"]
        let request = try requestHead(try client(headers: headers))
        #expect(Array(request.headers.map(\.name).suffix(4)) == ["Origin", "Cookie", "X-Tab", "Cookie"])
        #expect(request.headers.values(for: "cookie") == ["a=1", "b=2"])
    }

    /// What we send passes our own server's validation.
    @Test func requestPassesServerValidation() throws {
        let offer = ExtensionElement(name: "permessage-deflate",
            parameters: [ExtensionParameter(name: "client_max_window_bits")])
        let handshake = try client(host: "::1", port: 9001, target: "/a?b=c", subprotocols: ["v2", "v1"],
            extensions: [offer], headers: ["Origin": "http://o.example"])
        let request = try ServerHandshakeRequest(validating: try requestHead(handshake))
        #expect(request.host == "[::1]:9001")
        #expect(request.path == "/a")
        #expect(request.query == "b=c")
        #expect(request.subprotocols == ["v2", "v1"])
        #expect(request.extensions == [offer])
        #expect(request.origin == "http://o.example")
        #expect(request.key == sampleKey)
    }
}
