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
        func client(_ values: [String], from peer: SocketAddress? = Self.proxy) -> String? {
            clients.client(peer: peer, headers: Self.headers("X-Forwarded-For", values))
        }
        #expect(client(["203.0.113.7"]) == "203.0.113.7")
        #expect(client(["1.2.3.4, 203.0.113.7, 10.9.9.9"]) == "203.0.113.7", "what the client wrote before is not believed")
        #expect(client(["1.2.3.4", "203.0.113.7, 192.0.2.1"]) == "203.0.113.7", "several fields are one list")
        #expect(client(["10.1.1.1, 10.2.2.2"]) == "10.1.1.1", "all proxies: the first")
        #expect(client(["203.0.113.7:4711"]) == "203.0.113.7", "a port is dropped")
        #expect(client(["[2001:db8::1]:4711"]) == "2001:db8::1")
        #expect(client(["2001:db8::1"]) == "2001:db8::1")
        #expect(client(["::ffff:203.0.113.7"]) == "203.0.113.7")
        #expect(client(["203.0.113.7, unknown"]) == "10.0.0.5", "an entry without an address stops the walk at the proxy that wrote it")
        #expect(client(["203.0.113.7, "]) == "10.0.0.5")
        #expect(client([]) == "10.0.0.5", "no header: the proxy itself")
        #expect(client(["203.0.113.7"], from: Self.stranger) == "198.51.100.9", "anyone else's header is ignored")
        #expect(client(["203.0.113.7"], from: SocketAddress(unixPath: "/run/app.sock")) == "203.0.113.7", "a Unix socket's peer is local")
        #expect(client([], from: SocketAddress(unixPath: "/run/app.sock")) == nil)
    }

    @Test func forwardedIsParsedAsRFC7239() throws {
        let clients = try Self.clients(.forwarded, ["10.0.0.0/8"])
        func client(_ values: [String]) -> String? {
            clients.client(peer: Self.proxy, headers: Self.headers("Forwarded", values))
        }
        #expect(client(["for=192.0.2.60;proto=http;by=203.0.113.43"]) == "192.0.2.60")
        #expect(client([#"For="[2001:db8:cafe::17]:4711""#]) == "2001:db8:cafe::17", "names are case-insensitive, IPv6 quoted")
        #expect(client([#"for=192.0.2.43, for="[2001:db8:cafe::17]""#]) == "2001:db8:cafe::17")
        #expect(client(["for=192.0.2.43, for=10.1.1.1"]) == "192.0.2.43")
        #expect(client([#"for="192.0.2.43:47011";proto=https"#]) == "192.0.2.43")
        #expect(client(["for=unknown"]) == "10.0.0.5")
        #expect(client(["for=_hidden, for=10.1.1.1"]) == "10.1.1.1", "an obfuscated node stops the walk")
        #expect(client(["proto=https"]) == "10.0.0.5", "an element without for")
        #expect(client([#"for="198.51.100.1;x=\"a,b\"", for=192.0.2.9"#]) == "192.0.2.9", "separators inside quotes")
        #expect(clients.client(peer: Self.proxy, headers: Self.headers("X-Forwarded-For", ["203.0.113.7"])) == "10.0.0.5",
                "the other header is not read")
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
        for invalid in ["", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/+8", "example.com", "10.0.0.0/ 8"] {
            #expect(IPAddressRange(invalid) == nil, "\(invalid)")
        }
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
