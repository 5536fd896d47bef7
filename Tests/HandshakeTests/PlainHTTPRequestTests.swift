import Testing
import WebSocketHandshake

/// Requests that do not ask for a WebSocket, for a server that answers them (health checks).
@Suite("Plain HTTP requests")
struct PlainHTTPRequestTests {
    private func plain(_ lines: [String]) throws -> PlainHTTPRequest {
        try PlainHTTPRequest(validating: HTTPRequestHead(parseHead(lines)))
    }

    @Test func readsMethodPathQueryAndHost() throws {
        let request = try plain(["HEAD /health?verbose=1 HTTP/1.1", "Host: api.example:8080", "User-Agent: ELB"])
        #expect(request.method == "HEAD")
        #expect(request.target == "/health?verbose=1")
        #expect(request.path == "/health")
        #expect(request.query == "verbose=1")
        #expect(request.host == "api.example:8080")
        #expect(request.version == "HTTP/1.1")
        #expect(request.headers.first("User-Agent") == "ELB")
    }

    /// HAProxy's `option httpchk` sends `OPTIONS / HTTP/1.0` without `Host` by default.
    @Test func acceptsHTTP10WithoutHost() throws {
        let request = try plain(["OPTIONS / HTTP/1.0"])
        #expect(request.method == "OPTIONS")
        #expect(request.host == nil)
        #expect(request.path == "/")
    }

    @Test func absoluteFormTargetGivesItsPath() throws {
        let request = try plain(["GET http://api.example/status HTTP/1.1", "Host: api.example"])
        #expect(request.path == "/status")
        #expect(request.query == nil)
    }

    /// RFC 7230 §5.4: "A server MUST respond with a 400 (Bad Request) status code to any
    /// HTTP/1.1 request message that lacks a Host header field and to any request message that
    /// contains more than one Host header field or a Host header field with an invalid
    /// field-value."
    @Test func hostRulesOfRFC7230() {
        expectError(.missingHost) { try plain(["GET / HTTP/1.1"]) }
        let duplicate = expectError(.duplicateHeader("Host")) { try plain(["GET / HTTP/1.0", "Host: a", "Host: b"]) }
        #expect(duplicate?.responseStatus == 400)
        expectError(.missingHost) { try plain(["GET / HTTP/1.0", "Host: a b"]) }
    }

    @Test(arguments: ["*", "example.com:443", "/a#frag"])
    func refusesTargetsWithoutAPath(target: String) {
        expectError(.invalidRequestTarget) { try plain(["GET \(target) HTTP/1.1", "Host: a"]) }
    }

    /// RFC 7230 §5.3.4: the asterisk-form, for a server-wide OPTIONS.
    @Test func acceptsAServerWideOptions() throws {
        let request = try plain(["OPTIONS * HTTP/1.1", "Host: a"])
        #expect(request.path == "*")
        #expect(request.query == nil)
    }

    /// CONNECT asks a proxy for a tunnel: a 2xx answer would open one (RFC 9110 §9.3.6).
    @Test(arguments: ["example.com:443", "/"])
    func refusesConnect(target: String) {
        let error = expectError(.invalidRequestTarget) { try plain(["CONNECT \(target) HTTP/1.1", "Host: a"]) }
        #expect(error?.responseStatus == 400)
    }

    /// The server reads heads only: a declared body is refused with 413, not left unread.
    @Test(arguments: [["Content-Length: 5"], ["Transfer-Encoding: chunked"], ["Content-Length: x"],
                      ["Content-Length: 0", "Content-Length: 1"], ["Content-Length: "]])
    func refusesRequestsWithABody(fields: [String]) {
        let error = expectError(.requestBodyNotAccepted) { try plain(["POST /submit HTTP/1.1", "Host: a"] + fields) }
        #expect(error?.responseStatus == 413)
        #expect(error?.message.contains("request bodies") == true)
    }

    @Test func contentLengthZeroIsNoBody() throws {
        #expect(try plain(["POST /ping HTTP/1.1", "Host: a", "Content-Length: 0"]).method == "POST")
        #expect(try plain(["POST /ping HTTP/1.1", "Host: a", "Content-Length: 00"]).method == "POST")
    }

    @Test func upgradeRequestsAreTold() throws {
        let upgrade = try HTTPRequestHead(parseHead(["GET / HTTP/1.1", "Host: a", "Upgrade: h2c, WebSocket"]))
        let other = try HTTPRequestHead(parseHead(["GET / HTTP/1.1", "Host: a", "Upgrade: h2c", "Connection: Upgrade"]))
        let plain = try HTTPRequestHead(parseHead(["GET / HTTP/1.1", "Host: a"]))
        // A proxy that does not forward `Upgrade` and `Connection` leaves the WebSocket fields.
        let stripped = try HTTPRequestHead(parseHead(["GET / HTTP/1.1", "Host: a", "Sec-WebSocket-Key: \(sampleKey)"]))
        let versionOnly = try HTTPRequestHead(parseHead(["GET / HTTP/1.1", "Host: a", "Sec-WebSocket-Version: 13"]))
        #expect(PlainHTTPRequest.isUpgradeRequest(upgrade))
        #expect(PlainHTTPRequest.isUpgradeRequest(stripped))
        #expect(PlainHTTPRequest.isUpgradeRequest(versionOnly))
        #expect(!PlainHTTPRequest.isUpgradeRequest(other))
        #expect(!PlainHTTPRequest.isUpgradeRequest(plain))
    }

    /// RFC 9110 §9.3.2: no content in the answer to HEAD, refusals included.
    @Test func aRefusalOfHeadHasNoBody() {
        let toHead = String(decoding: ServerHandshakeResponse.reject(HandshakeError(.requestBodyNotAccepted), method: "HEAD"), as: UTF8.self)
        #expect(toHead == "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let toGet = String(decoding: ServerHandshakeResponse.reject(HandshakeError(.requestBodyNotAccepted), method: "GET"), as: UTF8.self)
        #expect(toGet.hasSuffix("\r\n\r\nthis server does not read request bodies (Content-Length other than 0, or Transfer-Encoding)\n"))
    }

    @Test func responseToHeadHasTheLengthButNoBody() throws {
        let head = try plain(["HEAD /health HTTP/1.1", "Host: a"])
        let get = try plain(["GET /health HTTP/1.1", "Host: a"])
        let body = Array("ok\n".utf8)
        let headers: HTTPHeaders = ["Content-Type": "text/plain"]
        let toGet = String(decoding: ServerHandshakeResponse.response(to: get, status: 200, headers: headers, body: body), as: UTF8.self)
        let toHead = String(decoding: ServerHandshakeResponse.response(to: head, status: 200, headers: headers, body: body), as: UTF8.self)
        #expect(toGet == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
        #expect(toHead == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
        // 204 has no body and no length either way; an invalid status becomes 500 with its body.
        let noContent = String(decoding: ServerHandshakeResponse.response(to: head, status: 204, body: body), as: UTF8.self)
        #expect(noContent == "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        let invalid = String(decoding: ServerHandshakeResponse.response(to: get, status: 42, body: body), as: UTF8.self)
        #expect(invalid == "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
    }
}
