import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// The SOCKS5 proxies of `Tests/Fixtures/socks.py`: two microsocks servers (open, and wanting
/// alice / `s3cret w@rd`), a recorder of our own, a silent one and an HTTP server; one process
/// for every test.
final class SOCKSPeer: Sendable {
    static let shared: Result<SOCKSPeer, any Error> = Result { try SOCKSPeer() }

    private let process: PeerProcess

    private init() throws {
        process = try PeerProcess(
            "python3", [PeerProcess.fixture("socks.py")], ports: 5, missing: "is microsocks installed? (make peers)")
    }

    static func port(_ index: Int) throws -> Int { try shared.get().process.ports[index] }
    /// microsocks without authentication.
    static func open() throws -> SOCKSProxy { SOCKSProxy(host: "127.0.0.1", port: try port(0)) }
    /// microsocks wanting RFC 1929 credentials.
    static func guarded(_ credentials: SOCKSProxy.Credentials? = nil) throws -> SOCKSProxy {
        SOCKSProxy(host: "127.0.0.1", port: try port(1), credentials: credentials)
    }
    /// Our recorder, which resolves `upstream.invalid` itself.
    static func recorder(resolvesNames: Bool = true) throws -> SOCKSProxy {
        SOCKSProxy(host: "127.0.0.1", port: try port(2), resolvesNamesAtProxy: resolvesNames)
    }
    /// A proxy that accepts and never answers.
    static func silent() throws -> SOCKSProxy { SOCKSProxy(host: "127.0.0.1", port: try port(3)) }
    /// An HTTP server that answers anything with 400, taken for a SOCKS5 proxy.
    static func httpServer() throws -> SOCKSProxy { SOCKSProxy(host: "127.0.0.1", port: try port(4)) }

    /// The CONNECT requests the recorder saw: `name <host> <port>`, `ipv4 …` or `ipv6 …`.
    static func requests() async throws -> [String] {
        try await RawClient.bodyLines(port: try port(2), path: "/requests")
    }
}

/// RFC 1928 / RFC 1929: a client connection through a SOCKS5 proxy, TLS end to end, against
/// microsocks and a recording proxy of our own.
@Suite("Client through a SOCKS5 proxy", .serialized, .timeLimit(.minutes(1)))
struct SOCKSProxyTests {
    static func configuration(_ proxy: SOCKSProxy) -> WebSocket.Configuration {
        var configuration = TLSCertificates.client()
        configuration.proxy = .socks5(proxy)
        configuration.openTimeout = .seconds(60)  // a TSan-built client and server on a loaded CI machine
        return configuration
    }

    /// The transport error `connect` threw, or nil (recorded) for anything else.
    static func transportFailure(_ connect: () async throws -> WebSocket) async -> TransportError? {
        await TLSClientServerTests.transportFailure(connecting: "through the proxy", connect)
    }

    @Test func wsThroughMicrosocks() async throws {
        let server = try ClientServerTests.echoServer()
        let ws = try await WebSocket.connect(
            to: "ws://127.0.0.1:\(server.port)/echo", configuration: Self.configuration(try SOCKSPeer.open()))
        try await ProxyTests.expectEcho(ws)
        await server.shutdown()
    }

    /// The address `localhost` resolves to first (127.0.0.1, or ::1 where /etc/hosts lists it
    /// first), for a server that a proxy (or the client) reaches through the name: the proxies
    /// here try only the first address, as curl does.
    static func localhostAddress() throws -> String {
        try SocketAddress.resolve(host: "localhost", port: 0).first?.host ?? "127.0.0.1"
    }

    /// RFC 1929 credentials open the guarded microsocks; TLS runs inside with the server, its
    /// certificate checked against the URL's host, and microsocks resolves `localhost` itself.
    @Test func wssThroughMicrosocksWithCredentials() async throws {
        let host = try Self.localhostAddress()
        let server = try ClientServerTests.echoServer { $0.host = host; $0.tls = try? TLSCertificates.server() }
        let proxy = try SOCKSPeer.guarded(.init(username: "alice", password: "s3cret w@rd"))
        let ws = try await WebSocket.connect(to: "wss://localhost:\(server.port)/", configuration: Self.configuration(proxy))
        try await ProxyTests.expectEcho(ws)
        await server.shutdown()
    }

    /// microsocks answers X'FF' to a client that offers no credentials.
    @Test func aProxyThatWantsCredentialsIsAClearError() async throws {
        let server = try ClientServerTests.echoServer()
        let proxy = try SOCKSPeer.guarded()
        let failure = await Self.transportFailure {
            try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.configuration(proxy))
        }
        guard case .socksAuthenticationFailed(let message)? = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(message.contains("credentials"), "\(message)")
        #expect(failure?.endpoint == "127.0.0.1:\(proxy.port)")
        await server.shutdown()
    }

    @Test func aWrongPasswordIsAnAuthenticationFailure() async throws {
        let server = try ClientServerTests.echoServer()
        let proxy = try SOCKSPeer.guarded(.init(username: "alice", password: "wrong"))
        let failure = await Self.transportFailure {
            try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.configuration(proxy))
        }
        guard case .socksAuthenticationFailed(let message)? = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(message.contains("rejected the username and password"), "\(message)")
        await server.shutdown()
    }

    /// The proxy could not reach the server: its reply X'05' is the error, not a timeout.
    @Test func anUnreachableServerBehindTheProxyIsItsRefusal() async throws {
        let failure = await Self.transportFailure {  // nothing listens on port 1
            try await WebSocket.connect(to: "ws://127.0.0.1:1/", configuration: Self.configuration(try SOCKSPeer.open()))
        }
        #expect(failure?.kind == .socksRefused(reply: 5, reason: "connection refused"), "\(String(describing: failure))")
    }

    /// `socks5h`: the server's name reaches only the proxy, which resolves it (the client cannot:
    /// `.invalid` names no host), and the request carries it as a name.
    @Test func theProxyResolvesTheNameByDefault() async throws {
        let server = try ClientServerTests.echoServer()
        let ws = try await WebSocket.connect(
            to: "ws://upstream.invalid:\(server.port)/", configuration: Self.configuration(try SOCKSPeer.recorder()))
        try await ProxyTests.expectEcho(ws)
        #expect(try await SOCKSPeer.requests().contains("name upstream.invalid \(server.port)"))
        await server.shutdown()
    }

    /// `socks5`: the client resolves the name and sends the address.
    @Test func aProxyThatDoesNotResolveIsSentTheAddress() async throws {
        let host = try Self.localhostAddress()
        let server = try ClientServerTests.echoServer { $0.host = host }
        let ws = try await WebSocket.connect(
            to: "ws://localhost:\(server.port)/", configuration: Self.configuration(try SOCKSPeer.recorder(resolvesNames: false)))
        try await ProxyTests.expectEcho(ws)
        let requests = try await SOCKSPeer.requests()
        #expect(requests.contains("\(host.contains(":") ? "ipv6" : "ipv4") \(host) \(server.port)"), "\(requests)")
        #expect(!requests.contains("name localhost \(server.port)"))
        await server.shutdown()
    }

    /// `socks5`: a name the client cannot resolve fails here, before the proxy is asked.
    @Test func aNameTheClientCannotResolveIsAResolutionError() async throws {
        let failure = await Self.transportFailure {
            try await SuiteLoop.connect(
                to: "ws://upstream.invalid:1/", configuration: Self.configuration(try SOCKSPeer.recorder(resolvesNames: false)))
        }
        guard case .resolution(let host, _)? = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(host == "upstream.invalid")
        #expect(try await !SOCKSPeer.requests().contains { $0.contains("upstream.invalid 1") })
    }

    /// A reply that arrives a byte at a time, 20 ms apart, over many reads.
    @Test func aReplyInPiecesOpensTheTunnel() async throws {
        let server = try ClientServerTests.echoServer()
        let ws = try await WebSocket.connect(
            to: "ws://slow.invalid:\(server.port)/", configuration: Self.configuration(try SOCKSPeer.recorder()))
        try await ProxyTests.expectEcho(ws)
        await server.shutdown()
    }

    /// The certificate names 127.0.0.1 and localhost, not `upstream.invalid`: through a SOCKS
    /// proxy too, it is checked against the URL's host, not the address the proxy reached.
    @Test func wssThroughTheProxyChecksTheURLsHostName() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        let failure = await Self.transportFailure {
            try await WebSocket.connect(
                to: "wss://upstream.invalid:\(server.port)/", configuration: Self.configuration(try SOCKSPeer.recorder()))
        }
        guard case .certificate? = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(try await SOCKSPeer.requests().contains("name upstream.invalid \(server.port)"))
        await server.shutdown()
    }

    /// A `Proxy-Authorization` among the request headers is an HTTP proxy's: through a SOCKS
    /// proxy it goes nowhere, and above all not to the server.
    @Test func proxyAuthorizationIsNotSentToTheServer() async throws {
        let seen = RedirectTests.Seen([])
        let server = try RedirectTests.server(seen: seen) { _ in .accept() }
        var headers = HTTPHeaders()
        headers.append(name: "Proxy-Authorization", value: "Basic YWxpY2U6c2VjcmV0")
        let ws = try await WebSocket.connect(
            to: "ws://127.0.0.1:\(server.port)/", headers: headers, configuration: Self.configuration(try SOCKSPeer.open()))
        try await ws.close()
        #expect(seen.withLock { $0.first.map { !$0.headers.contains("Proxy-Authorization") } } == true)
        await server.shutdown()
    }

    @Test func aProxyThatNeverAnswersHitsTheOpenTimeout() async throws {
        var configuration = Self.configuration(try SOCKSPeer.silent())
        configuration.openTimeout = .milliseconds(500)
        let failure = await Self.transportFailure {
            try await SuiteLoop.connect(to: "ws://127.0.0.1:1/", configuration: configuration)
        }
        #expect(failure?.kind == .connectTimeout)
    }

    @Test func cancellingTheTaskEndsAWaitForTheProxy() async throws {
        let configuration = Self.configuration(try SOCKSPeer.silent())
        let attempt = Task { try await SuiteLoop.connect(to: "ws://127.0.0.1:1/", configuration: configuration) }
        try await Task.sleep(for: .milliseconds(200))
        attempt.cancel()
        let failure = await Self.transportFailure { try await attempt.value }
        #expect(failure?.kind == .cancelled)
    }

    /// An HTTP server is not a SOCKS5 proxy: its 400 to the greeting is a clear error.
    @Test func anHTTPServerIsNotTakenForASOCKSProxy() async throws {
        let failure = await Self.transportFailure {
            try await SuiteLoop.connect(to: "ws://127.0.0.1:1/", configuration: Self.configuration(try SOCKSPeer.httpServer()))
        }
        guard case .proxy(let message)? = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(message.contains("answered with version 72, not SOCKS5"), "\(message)")  // "H"
    }
}
