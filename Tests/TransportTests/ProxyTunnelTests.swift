import Testing
@testable import WebSocketTransport

/// RFC 9110 §9.3.6: the CONNECT exchange, without sockets (internal, hence `@testable`).
@Suite("RFC 9110 §9.3.6 CONNECT tunnel exchange")
struct ProxyTunnelTests {
    let proxy = HTTPProxy(host: "proxy.example", port: 3128)

    func feed(_ tunnel: inout ProxyTunnel, _ text: String) throws(TransportError) -> Bool {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in Result { () throws(TransportError) in try tunnel.receive(raw) } }.get()
    }

    func failure(_ response: String) -> TransportError? {
        do {
            var tunnel = try ProxyTunnel(host: "server.example", port: 443, proxy: proxy)
            _ = try feed(&tunnel, response)
            return nil
        } catch {
            return error
        }
    }

    /// "the request-target consists of only the host name and port number of the tunnel
    /// destination, separated by a colon".
    @Test func theRequestNamesTheDestinationAsHostAndPort() throws {
        let plain = try ProxyTunnel(host: "server.example", port: 443, proxy: proxy)
        #expect(String(decoding: plain.request, as: UTF8.self)
            == "CONNECT server.example:443 HTTP/1.1\r\nHost: server.example:443\r\n\r\n")
        let v6 = try ProxyTunnel(host: "::1", port: 8080, proxy: HTTPProxy(host: "::1", port: 3128, authorization: "Basic YTpi"))
        #expect(String(decoding: v6.request, as: UTF8.self)
            == "CONNECT [::1]:8080 HTTP/1.1\r\nHost: [::1]:8080\r\nProxy-Authorization: Basic YTpi\r\n\r\n")
        #expect(v6.proxyEndpoint == "[::1]:3128")
    }

    @Test("Control characters and spaces cannot reach the request", arguments: [
        ("server.example\r\nX-Injected: 1", nil), ("server.example", "Basic YTpi\r\nX-Injected: 1"), ("a\u{0}b", nil),
        ("server.example HTTP/1.1\r\n", nil), ("a b", nil), ("", nil), ("ex/ample", nil),
    ] as [(String, String?)])
    func controlCharactersAreRefused(host: String, authorization: String?) {
        #expect(throws: TransportError.self) {
            try ProxyTunnel(host: host, port: 443, proxy: HTTPProxy(host: "p", port: 1, authorization: authorization))
        }
    }

    /// RFC 6874 §4: the zone ID stays on this host.
    @Test func anIPv6ZoneIDIsNotSent() throws {
        let tunnel = try ProxyTunnel(host: "fe80::1%eth0", port: 443, proxy: proxy)
        #expect(String(decoding: tunnel.request, as: UTF8.self).hasPrefix("CONNECT [fe80::1]:443 HTTP/1.1\r\nHost: [fe80::1]:443\r\n"))
    }

    /// RFC 9110 §15.2: interim responses come before the final one.
    @Test func interimResponsesAreSkipped() throws {
        var tunnel = try ProxyTunnel(host: "server.example", port: 443, proxy: proxy)
        #expect(try !feed(&tunnel, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"))
        #expect(try feed(&tunnel, "HTTP/1.1 200 Connection established\r\n\r\n"))
        #expect(failure("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\n\r\n")?.kind
            == .proxyRefused(status: 403, reason: "Forbidden"))
        #expect(failure("HTTP/1.1 101 Switching Protocols\r\n\r\n")?.kind
            == .proxyRefused(status: 101, reason: "Switching Protocols"))
    }

    /// The proxy's reason phrase goes into error messages: printable ASCII only, 64 bytes at most.
    @Test func theReasonPhraseIsSanitized() {
        let reason = "Bad\u{1B}[31m Gateway\u{7F} " + String(repeating: "x", count: 100)
        guard case .proxyRefused(502, let kept) = failure("HTTP/1.1 502 \(reason)\r\n\r\n")?.kind else {
            Issue.record("not a refusal"); return
        }
        #expect(kept.hasPrefix("Bad[31m Gateway ") && kept.count == 64)
    }

    @Test("Any 2xx opens the tunnel", arguments: [
        "HTTP/1.1 200 Connection established\r\n\r\n", "HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n", "HTTP/1.1 204 \r\n\r\n",
    ])
    func aSuccessfulResponseOpensTheTunnel(response: String) throws {
        var tunnel = try ProxyTunnel(host: "server.example", port: 443, proxy: proxy)
        #expect(try feed(&tunnel, response))
    }

    @Test func aResponseSplitAcrossReadsOpensTheTunnelAtItsLastByte() throws {
        var tunnel = try ProxyTunnel(host: "server.example", port: 443, proxy: proxy)
        let response = "HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\n\r\n"
        for byte in response.utf8.dropLast() {
            #expect(try !feed(&tunnel, String(decoding: [byte], as: UTF8.self)))
        }
        #expect(try feed(&tunnel, "\n"))
    }

    @Test func aRefusalCarriesItsStatusAndReason() {
        let error = failure("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n")
        #expect(error?.kind == .proxyRefused(status: 407, reason: "Proxy Authentication Required"))
        #expect(error?.endpoint == "proxy.example:3128")
        #expect(failure("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad")?.kind
            == .proxyRefused(status: 502, reason: "Bad Gateway"))
    }

    @Test("Malformed answers fail the tunnel", arguments: [
        "HTTP/2 200 OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 20x OK\r\n\r\n",
        // Nothing may come through before the client speaks (a TLS ClientHello, an upgrade).
        "HTTP/1.1 200 Connection established\r\n\r\nearly",
    ])
    func malformedAnswersFail(response: String) {
        guard case .proxy = failure(response)?.kind else { Issue.record("accepted \(response.debugDescription)"); return }
    }

    @Test func aHeadOverTheLimitFails() {
        let endless = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Padding: 0123456789abcdef\r\n", count: 700)
        guard case .proxy(let message) = failure(endless)?.kind else { Issue.record("accepted a 20 KiB head"); return }
        #expect(message.contains("16 KiB"))
    }
}
