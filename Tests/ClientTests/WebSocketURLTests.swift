import Testing
import WebSocketClient
import WebSocketDriver

@Suite("RFC 6455 §3 WebSocket URIs")
struct WebSocketURLTests {
    @Test func parsesHostPortAndTarget() throws {
        let url = try WebSocketURL("ws://example.com:8080/chat?room=1")
        #expect(url.host == "example.com" && url.port == 8080 && url.requestTarget == "/chat?room=1")
        #expect(!url.isSecure)
    }

    @Test func defaultsPortsAndPath() throws {
        #expect(try WebSocketURL("ws://example.com").port == 80)
        #expect(try WebSocketURL("wss://example.com").port == 443)
        #expect(try WebSocketURL("ws://example.com").requestTarget == "/")
        #expect(try WebSocketURL("ws://example.com?x=1").requestTarget == "/?x=1")
    }

    /// RFC 3986 §3.2.3: an empty port (`host:`) is the scheme's default.
    @Test func anEmptyPortIsTheDefault() throws {
        let url = try WebSocketURL("wss://example.com:/chat")
        #expect(url.port == 443 && !url.hasExplicitPort && url.requestTarget == "/chat")
    }

    @Test func ipv6LiteralLosesItsBrackets() throws {
        let url = try WebSocketURL("ws://[::1]:9001/")
        #expect(url.host == "::1" && url.port == 9001)
        #expect(try WebSocketURL("ws://[::ffff:127.0.0.1]/").host == "::ffff:127.0.0.1")
    }

    /// RFC 6874 §2: a zone ID follows the address as `%25`; the host keeps it as `%zone`.
    @Test func anIPv6ZoneIDIsDecoded() throws {
        let url = try WebSocketURL("ws://[fe80::1%25eth0]:9000/")
        #expect(url.host == "fe80::1%eth0" && url.port == 9000)
    }

    @Test("Invalid URLs are refused", arguments: [
        "http://x/", "ws://", "ws://x:0/", "ws://x:99999/", "ws://x/#frag", "ws://[::1/", "ws://u@x/",
        // RFC 3986 §3.2.2: an IPv6 address only in brackets, and only an IPv6 address in them.
        "ws://::1:9001/", "ws://::ffff:7f00:1/", "ws://[example.com]/", "ws://[127.0.0.1]/", "ws://[v1.fe]/",
        "ws://[fe80::1%eth0]/", "ws://[fe80::1%25]/", "ws://[::1]x/",
        // port = *DIGIT
        "ws://x:+8080/", "ws://x:-1/", "ws://x:80a/", "ws://x: 80/",
    ])
    func invalidURLs(url: String) {
        #expect(throws: WebSocketError.self) { try WebSocketURL(url) }
    }
}
