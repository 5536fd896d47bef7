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

    /// RFC 3986 §3.2.1: `user[:password]@`, percent-decoded, kept out of the description.
    @Test func userInformationIsParsedAndNeverPrinted() throws {
        let url = try WebSocketURL("wss://alice:s%40cr%3Aet@example.com:8443/chat")
        #expect(url.user == "alice" && url.password == "s@cr:et")
        #expect(url.host == "example.com" && url.port == 8443 && url.requestTarget == "/chat")
        #expect(url.description == "wss://example.com:8443/chat")
        var dumped = ""
        dump(url, to: &dumped)
        #expect(dumped.contains("alice") && !dumped.contains("s@cr:et") && dumped.contains("***"), "\(dumped)")
        let nameOnly = try WebSocketURL("ws://bob@[::1]:9001/")
        #expect(nameOnly.user == "bob" && nameOnly.password == nil && nameOnly.host == "::1")
        let none = try WebSocketURL("ws://@example.com/")
        #expect(none.user == nil && none.password == nil)
        #expect(try WebSocketURL("ws://a@b@example.com/").user == "a@b", "the last @ ends the user information")
        for invalid in ["ws://alice:topsecret@x:99999/", "https://alice:topsecret@x/", "ws://alice:topsecret@x/#f"] {
            do {
                _ = try WebSocketURL(invalid)
                Issue.record("\(invalid) was accepted")
            } catch {
                #expect(!"\(error)".contains("topsecret") && "\(error)".contains("***@x"), "\(error)")
            }
        }
        // An @ after the authority is not user information: the message keeps the host.
        do {
            _ = try WebSocketURL("ws://x:0/?mail=a@b")
            Issue.record("port 0 was accepted")
        } catch {
            #expect("\(error)".contains("ws://x:0/?mail=a@b"), "\(error)")
        }
    }

    /// A redirect never carries user information: neither the URL's nor one a server names.
    @Test func aRedirectCarriesNoUserInformation() throws {
        let url = try WebSocketURL("ws://alice:secret@example.com/a")
        for location in ["/b", "ws://mallory:x@example.com/c", "//example.com/d"] {
            let next = try url.resolving(redirect: location)
            #expect(next.user == nil && next.password == nil, "\(location)")
        }
    }

    @Test("Invalid URLs are refused", arguments: [
        "http://x/", "ws://", "ws://x:0/", "ws://x:99999/", "ws://x/#frag", "ws://[::1/", "ws://a%3Ab:c@x/", "ws://u@/",
        // RFC 3986 §3.2.2: an IPv6 address only in brackets, and only an IPv6 address in them.
        "ws://::1:9001/", "ws://::ffff:7f00:1/", "ws://[example.com]/", "ws://[127.0.0.1]/", "ws://[v1.fe]/",
        "ws://[fe80::1%eth0]/", "ws://[fe80::1%25]/", "ws://[::1]x/",
        // port = *DIGIT
        "ws://x:+8080/", "ws://x:-1/", "ws://x:80a/", "ws://x: 80/",
    ])
    func invalidURLs(url: String) {
        #expect(throws: WebSocketError.self) { try WebSocketURL(url) }
    }

    /// RFC 9110 §10.2.2 with RFC 3986 §5.2: a redirect's `Location` against the request's URL.
    @Test("Redirect locations resolve against the URL", arguments: [
        ("ws://a.example/chat/room?x=1", "wss://b.example:8443/new", "wss://b.example:8443/new"),
        ("ws://a.example/chat/room", "https://b.example/new?y=2", "wss://b.example/new?y=2"),
        ("wss://a.example/chat/room", "http://b.example/", "ws://b.example/"),
        ("wss://a.example:9000/chat", "//c.example/x", "wss://c.example/x"),
        ("ws://a.example:9000/chat/room?x=1", "/other?z=3", "ws://a.example:9000/other?z=3"),
        ("ws://a.example/chat/room?x=1", "?z=3", "ws://a.example/chat/room?z=3"),
        ("ws://a.example/chat/room?x=1", "lobby", "ws://a.example/chat/lobby"),
        ("ws://a.example/chat/room", "../up/./here", "ws://a.example/up/here"),
        ("ws://a.example/chat/room", "../../../top", "ws://a.example/top"),
        ("ws://a.example/chat/room", "sub/..", "ws://a.example/chat/"),
        ("ws://a.example/chat", "/new#fragment", "ws://a.example/new"),
        ("ws://a.example/chat", "ws://b.example/x/../y/./z", "ws://b.example/y/z"),
        ("ws://a.example/chat", "//c.example/a/../b?q=1", "ws://c.example/b?q=1"),
        ("ws://[::1]:9001/chat", "/new", "ws://[::1]:9001/new"),
        ("ws://[fe80::1%25eth0]:9001/chat", "/new", "ws://[fe80::1%25eth0]:9001/new"),
    ])
    func redirectLocationsResolve(base: String, location: String, expected: String) throws {
        let resolved = try WebSocketURL(base).resolving(redirect: location)
        #expect(resolved == (try WebSocketURL(expected)))
        #expect(resolved.description == expected)
    }

    @Test("Redirect locations that name no WebSocket URL are refused",
          arguments: ["ftp://a.example/", "mailto:x@a.example", "ws://", "https://a.example:99999/"])
    func foreignRedirectLocationsAreRefused(location: String) throws {
        #expect(throws: WebSocketError.self) { try WebSocketURL("ws://a.example/").resolving(redirect: location) }
    }

    /// RFC 6454 §5: scheme, host and port.
    @Test func originsCompareSchemeHostAndPort() throws {
        let url = try WebSocketURL("ws://a.example/chat")
        #expect(url.isSameOrigin(as: try WebSocketURL("ws://A.EXAMPLE:80/other")))
        #expect(!url.isSameOrigin(as: try WebSocketURL("wss://a.example/chat")))
        #expect(!url.isSameOrigin(as: try WebSocketURL("ws://a.example:8080/chat")))
        #expect(!url.isSameOrigin(as: try WebSocketURL("ws://b.example/chat")))
    }
}
