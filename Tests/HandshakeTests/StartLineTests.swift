import Testing
import WebSocketHandshake

@Suite("RFC 7230 §3.1.1 Request line")
struct RequestLineTests {
    @Test func readsTheParts() throws {
        let request = try HTTPRequestHead(HTTPHead(startLine: "GET /chat?x=1 HTTP/1.1", headers: ["Host": "a"]))
        #expect(request.method == "GET")
        #expect(request.target == "/chat?x=1")
        #expect(request.version == "HTTP/1.1")
        #expect(request.headers.first("Host") == "a")
    }

    @Test(arguments: ["HTTP/1.1", "HTTP/1.2", "HTTP/1.9"])
    func acceptsHTTP11AndLater1x(version: String) throws {
        #expect(try HTTPRequestHead(HTTPHead(startLine: "GET / " + version)).version == version)
    }

    /// HTTP/1.0 is read (a plain request may use it; ``ServerHandshakeRequest`` refuses it for
    /// an upgrade, RFC 6455 §4.1), other major versions are not.
    @Test func readsHTTP10() throws {
        #expect(try HTTPRequestHead(HTTPHead(startLine: "GET / HTTP/1.0")).version == "HTTP/1.0")
    }

    @Test(arguments: ["HTTP/0.9", "HTTP/2.0", "HTTP/3.0"])
    func rejectsOtherVersions(version: String) {
        expectError(.unsupportedHTTPVersion(version)) { try HTTPRequestHead(HTTPHead(startLine: "GET / " + version)) }
    }

    @Test(arguments: [
        "", "GET", "GET /chat", "GET  /chat HTTP/1.1", "GET /chat  HTTP/1.1", "GET /chat HTTP/1.1 ",
        " GET /chat HTTP/1.1", "GET /chat HTTP/1.1 extra", "G(T /chat HTTP/1.1", "GET /chat http/1.1",
        "GET /chat HTTP/11", "GET /chat HTTP/1.1.1", "GET /chat HTTP/1.x", "GET\t/chat\tHTTP/1.1",
    ])
    func rejectsMalformedRequestLines(line: String) {
        expectError(.malformedStartLine) { try HTTPRequestHead(HTTPHead(startLine: line)) }
    }

    @Test func rejectsNonASCIITargets() {
        expectError(.invalidRequestTarget) { try HTTPRequestHead(HTTPHead(startLine: "GET /é HTTP/1.1")) }
    }

    /// The method is a case-sensitive token; checking that it is GET is the server's job.
    @Test func keepsOtherMethods() throws {
        #expect(try HTTPRequestHead(HTTPHead(startLine: "POST / HTTP/1.1")).method == "POST")
        #expect(try HTTPRequestHead(HTTPHead(startLine: "get / HTTP/1.1")).method == "get")
    }
}

@Suite("RFC 7230 §3.1.2 Status line")
struct StatusLineTests {
    @Test(arguments: [
        ("HTTP/1.1 101 Switching Protocols", "HTTP/1.1", 101, "Switching Protocols"),
        ("HTTP/1.1 404 Not Found", "HTTP/1.1", 404, "Not Found"),
        ("HTTP/1.0 400 Bad Request", "HTTP/1.0", 400, "Bad Request"),
        ("HTTP/1.1 200 ", "HTTP/1.1", 200, ""),
        ("HTTP/1.1 101", "HTTP/1.1", 101, ""),
        ("HTTP/1.1 503 Service  Unavailable\t!", "HTTP/1.1", 503, "Service  Unavailable\t!"),
    ])
    func readsTheParts(line: String, version: String, status: Int, reason: String) throws {
        let response = try HTTPResponseHead(HTTPHead(startLine: line, headers: ["Upgrade": "websocket"]))
        #expect(response.version == version)
        #expect(response.status == status)
        #expect(response.reason == reason)
        #expect(response.headers.first("upgrade") == "websocket")
    }

    @Test(arguments: [
        "", "HTTP/1.1", "HTTP/1.1 10", "HTTP/1.1 1011 x", "HTTP/1.1 abc x", "HTTP/1.1  101 x",
        "HTTP/1.1-101 x", "HTTP/1.1 101x", "http/1.1 101 x", "HTTP/1.1 -11 x", "ICY 200 OK",
    ])
    func rejectsMalformedStatusLines(line: String) {
        expectError(.malformedStartLine) { try HTTPResponseHead(HTTPHead(startLine: line)) }
    }

    @Test func rejectsOtherMajorVersions() {
        expectError(.unsupportedHTTPVersion("HTTP/2.0")) { try HTTPResponseHead(HTTPHead(startLine: "HTTP/2.0 101 x")) }
    }
}
