import Testing
import WebSocketClient
import WebSocketDriver
import WebSocketHandshake
import WebSocketTestSupport
import WebSocketTransport
@testable import WebSocketServer

/// `trustedProxies`: the client behind HTTP reverse proxies, from `X-Forwarded-For` or
/// `Forwarded` (RFC 7239), believed only from the proxies.
@Suite("Server: clients behind trusted HTTP proxies", .timeLimit(.minutes(1)))
struct TrustedProxiesTests {
    static func clients(_ header: WebSocketServer.TrustedProxies.Header, _ addresses: [String]) throws -> ForwardedClients {
        try ForwardedClients(WebSocketServer.TrustedProxies(header: header, addresses: addresses))
    }

    static func headers(_ name: String, _ values: [String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for value in values { headers.append(name: name, value: value) }
        return headers
    }

    static let proxy = SocketAddress(ipAddress: "10.0.0.5", port: 40_000)
    static let stranger = SocketAddress(ipAddress: "198.51.100.9", port: 40_000)

    @Test func xForwardedForIsWalkedFromTheLastProxy() throws {
        let clients = try Self.clients(.xForwardedFor, ["10.0.0.0/8", "192.0.2.1"])
        func client(_ values: [String], from peer: SocketAddress? = Self.proxy, local: Bool = false) -> String? {
            clients.client(peer: peer, isLocal: local, headers: Self.headers("X-Forwarded-For", values)).address
        }
        #expect(client(["203.0.113.7"]) == "203.0.113.7")
        #expect(client(["1.2.3.4, 203.0.113.7, 10.9.9.9"]) == "203.0.113.7", "what the client wrote before is not believed")
        #expect(client(["1.2.3.4", "203.0.113.7, 192.0.2.1"]) == "203.0.113.7", "several fields are one list")
        #expect(client(["10.1.1.1, 10.2.2.2"]) == "10.1.1.1", "all proxies: the first")
        #expect(client(["203.0.113.7:4711"]) == "203.0.113.7", "a port is dropped")
        #expect(client(["[2001:db8::1]:4711"]) == "2001:db8::1")
        #expect(client(["2001:db8::1"]) == "2001:db8::1")
        #expect(client(["::ffff:203.0.113.7"]) == "203.0.113.7")
        #expect(client(["203.0.113.7, unknown"]) == nil, "an entry without an address before an untrusted one: unknown")
        #expect(client(["unknown, 203.0.113.7"]) == "203.0.113.7", "one after the client is never reached")
        #expect(client(["203.0.113.7, "]) == nil)
        for malformed in ["203.0.113.7:99999", "203.0.113.7:", "[2001:db8::1]x", "[203.0.113.7]", "1.2.3", "a.b.c.d"] {
            #expect(client([malformed]) == nil, "\(malformed)")
        }
        #expect(client([]) == "10.0.0.5", "no header: the proxy itself")
        #expect(client(["203.0.113.7"], from: Self.stranger) == "198.51.100.9", "anyone else's header is ignored")
        #expect(client(["203.0.113.7"], from: SocketAddress(ipAddress: "::ffff:10.0.0.5", port: 1)) == "203.0.113.7",
                "a proxy seen through a dual-stack socket")
        #expect(client(["203.0.113.7"], from: nil, local: true) == "203.0.113.7", "a Unix socket's peer is local")
        #expect(client([], from: nil, local: true) == nil)
        #expect(client(["203.0.113.7"], from: nil, local: false) == nil, "a TCP peer without an address is trusted with nothing")
        #expect(client(["203.0.113.7"], from: Self.stranger, local: true) == "198.51.100.9",
                "on a Unix socket, a client the PROXY protocol names is checked like any peer")
    }

    @Test func forwardedIsParsedAsRFC7239() throws {
        let clients = try Self.clients(.forwarded, ["10.0.0.0/8"])
        func client(_ values: [String]) -> String? {
            clients.client(peer: Self.proxy, isLocal: false, headers: Self.headers("Forwarded", values)).address
        }
        #expect(client(["for=192.0.2.60;proto=http;by=203.0.113.43"]) == "192.0.2.60")
        #expect(client([#"For="[2001:db8:cafe::17]:4711""#]) == "2001:db8:cafe::17", "names are case-insensitive, IPv6 quoted")
        #expect(client([#"for=192.0.2.43, for="[2001:db8:cafe::17]""#]) == "2001:db8:cafe::17")
        #expect(client(["for=192.0.2.43, for=10.1.1.1"]) == "192.0.2.43")
        #expect(client([#"for="192.0.2.43:47011";proto=https"#]) == "192.0.2.43")
        #expect(client([#"for="192.0.2.43:_abc""#]) == "192.0.2.43", "an obfuscated port")
        #expect(client(["for=unknown"]) == nil)
        #expect(client(["for=_hidden, for=10.1.1.1"]) == nil, "an obfuscated node before an untrusted one: unknown")
        #expect(client(["proto=https"]) == nil, "an element without for")
        #expect(client(["for=192.0.2.9, , for=10.1.1.1,"]) == "192.0.2.9", "empty elements are skipped")
        #expect(client([#"for=192.0.2.9;x="a, for=10.1.1.1""#]) == "192.0.2.9", "a comma inside quotes separates nothing")
        #expect(client(["for=192.0.2.9", "for=10.1.1.1"]) == "192.0.2.9", "several lines are one list")
        #expect(clients.client(peer: Self.proxy, isLocal: false, headers: Self.headers("X-Forwarded-For", ["203.0.113.7"])).address
                == "10.0.0.5", "the other header is not read")
    }

    /// The spoof an unclosed quote allowed: the client's own line, with the proxy's element
    /// appended to it, parsed as one element naming the client's choice. A line that breaks
    /// the grammar names nobody.
    @Test func aMalformedForwardedLineNamesNoClient() throws {
        let clients = try Self.clients(.forwarded, ["10.0.0.0/8"])
        func client(_ values: [String]) -> ForwardedClients.Client {
            clients.client(peer: Self.proxy, isLocal: false, headers: Self.headers("Forwarded", values))
        }
        let spoofs = [
            #"for=1.2.3.4;", for=203.0.113.7"#, #"for=1.2.3.4;x=", for=203.0.113.7"#, #"for="a\", for=203.0.113.7"#,
            #"for="1.2.3.4, for=203.0.113.7"#, "for=1.2.3.4;for=5.6.7.8, for=203.0.113.7", "for=1.2.3.4 x, for=203.0.113.7",
            "for=2001:db8::1, for=203.0.113.7", "for=[::1], for=203.0.113.7", "=1.2.3.4, for=203.0.113.7",
        ]
        for line in spoofs {
            #expect(client([line]) == ForwardedClients.Client(address: nil, isForwarded: true), "\(line)")
        }
        #expect(client(["for=1.2.3.4;\"", "for=203.0.113.7"]).address == nil, "a malformed line spoils the list")
    }

    @Test func rangesMatchByPrefix() throws {
        let ranges = ["10.0.0.0/8", "192.0.2.128/25", "fd00::/8", "::1", "::ffff:172.16.0.0/108"].compactMap(IPAddressRange.init)
        #expect(ranges.count == 5)
        func trusted(_ address: String) -> Bool {
            ranges.contains { $0.contains(SocketAddress(ipAddress: address, port: 0)!) }
        }
        for yes in ["10.255.0.1", "192.0.2.200", "fd12::1", "::1", "::ffff:10.0.0.1", "172.16.5.5", "172.31.255.255"] {
            #expect(trusted(yes), "\(yes)")
        }
        for no in ["11.0.0.1", "192.0.2.127", "fe80::1", "::2", "172.32.0.1", "2001:db8::1"] {
            #expect(!trusted(no), "\(no)")
        }
        let refused = [
            "", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/+8", "example.com", "10.0.0.0/ 8",
            "0.0.0.0/0", "::/0", "::ffff:0:0/96", "10.0.0.5/8", "192.0.2.129/25", "fe80::1", "fe80::/10", "febf::1/128",
        ]
        for invalid in refused {
            #expect(IPAddressRange(invalid) == nil, "\(invalid)")
        }
    }

    /// A Unix socket's peer (a local proxy) is trusted: our client over the socket sends
    /// `X-Forwarded-For`, and both hooks see that client; without the header, none is known.
    @Test func aLocalProxyOnAUnixSocketIsTrusted() async throws {
        let path = UnixSocketServerTests.freshPath()
        let seen = Locked<[String?]>([])
        var configuration = WebSocketServer.Configuration()
        configuration.unixSocketPath = path
        configuration.trustedProxies = .init(addresses: ["10.0.0.1"])
        let server = try WebSocketServer.start(configuration: configuration, shouldUpgrade: { upgrade in
            seen.withLock { $0.append(upgrade.clientAddress) }
            return .accept()
        }, plainHTTP: { plain in
            seen.withLock { $0.append(plain.clientAddress) }
            return .text("ok\n")
        }) { _ in }
        var client = WebSocket.Configuration()
        client.unixSocketPath = path
        for headers: HTTPHeaders in [["X-Forwarded-For": "203.0.113.7"], [:]] {
            let ws = try await WebSocket.connect(to: "ws://localhost/", headers: headers, configuration: client)
            _ = await ws.closed()
        }
        let plain = try await PeerProcess.run("python3", ["-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(b"GET /health HTTP/1.1\\r\\nHost: a\\r\\nX-Forwarded-For: 198.51.100.4\\r\\n\\r\\n")
            print(s.recv(100).split(b"\\r\\n")[0].decode(), end="")
            """, path])
        #expect(plain.output == "HTTP/1.1 200 OK", "\(plain.output)")
        #expect(seen.withLock { $0 } == ["203.0.113.7", nil, "198.51.100.4"])
        await server.shutdown()
        UnixSocketServerTests.removeLock(path)
    }

    /// End to end: the hook sees the forwarded client from a trusted proxy (here 127.0.0.1)
    /// and the peer otherwise; an invalid entry fails `start`.
    @Test func theUpgradeHookSeesTheClient() async throws {
        let seen = Locked<[String?]>([])
        var configuration = WebSocketServer.Configuration()
        configuration.trustedProxies = .init(addresses: ["127.0.0.0/8"])
        let server = try WebSocketServer.start(configuration: configuration, shouldUpgrade: { upgrade in
            seen.withLock { $0.append(upgrade.clientAddress) }
            return .reject(status: 403)
        }) { _ in }
        _ = try await RawClient.exchange(
            port: server.port, request: String(decoding: Harness.request(extraHeaders: ["X-Forwarded-For: 203.0.113.7"]), as: UTF8.self),
            waitForClose: true)
        _ = try await RawClient.exchange(port: server.port, request: String(decoding: Harness.request(), as: UTF8.self), waitForClose: true)
        #expect(seen.withLock { $0 } == ["203.0.113.7", "127.0.0.1"])
        await server.shutdown()

        let untrusted = Locked<String?>(nil)
        let plain = try WebSocketServer.start(shouldUpgrade: { upgrade in
            untrusted.withLock { $0 = upgrade.clientAddress }
            return .reject(status: 403)
        }) { _ in }
        _ = try await RawClient.exchange(
            port: plain.port, request: String(decoding: Harness.request(extraHeaders: ["X-Forwarded-For: 203.0.113.7"]), as: UTF8.self),
            waitForClose: true)
        #expect(untrusted.withLock { $0 } == "127.0.0.1", "without trustedProxies the header is ignored")
        await plain.shutdown()

        // The opened event's log line names the forwarded client beside the proxy.
        let recorder = ServerEventTests.Recorder()
        var logged = WebSocketServer.Configuration()
        logged.trustedProxies = .init(header: .forwarded, addresses: ["127.0.0.1"])
        logged.connection.closeTimeout = .seconds(1)  // the raw client never answers the Close
        logged.onEvent = { recorder.record($0) }
        let accepting = try WebSocketServer.start(configuration: logged) { _ in }
        let opened = try await RawClient.exchange(
            port: accepting.port,
            request: String(decoding: Harness.request(extraHeaders: [#"Forwarded: for="[2001:db8::7]:4711";proto=https"#]), as: UTF8.self),
            waitForClose: true)
        #expect(opened.hasPrefix("HTTP/1.1 101"))
        let events = try await ServerEventTests.events(recorder, count: 2, of: accepting)
        #expect(events.first?.description.hasSuffix("opened /chat for 2001:db8::7") == true, "\(events)")

        var invalid = WebSocketServer.Configuration()
        invalid.trustedProxies = .init(addresses: ["10.0.0.0/8", "proxy.internal"])
        #expect(throws: WebSocketError.self) { try WebSocketServer.start(configuration: invalid) { _ in } }
    }
}
