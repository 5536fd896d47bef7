import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// The CONNECT proxy of `Tests/Fixtures/proxy.py`: one process serves every test.
final class ProxyPeer: Sendable {
    static let shared: Result<ProxyPeer, any Error> = Result { try ProxyPeer() }

    private let process: PeerProcess

    private init() throws {
        process = try PeerProcess("python3", [PeerProcess.fixture("proxy.py")], ports: 2, missing: "is python3 installed?")
    }

    /// The open proxy.
    static func open() throws -> HTTPProxy { HTTPProxy(host: "127.0.0.1", port: try shared.get().process.ports[0]) }
    /// The proxy that wants Basic credentials alice / `s3cret w@rd`.
    static func guarded() throws -> HTTPProxy { HTTPProxy(host: "127.0.0.1", port: try shared.get().process.ports[1]) }

    /// The CONNECT requests the proxy saw: target and `Proxy-Authorization` (`-` for none).
    static func connects() async throws -> [String] {
        try await RawClient.bodyLines(port: try shared.get().process.ports[0], path: "/connects")
    }
}

/// RFC 9110 §9.3.6: a client connection through an HTTP proxy's CONNECT tunnel, TLS end to end.
@Suite("Client through an HTTP proxy (CONNECT)", .serialized, .timeLimit(.minutes(1)))
struct ProxyTests {
    static func configuration(_ proxy: HTTPProxy) -> WebSocket.Configuration {
        var configuration = TLSCertificates.client()
        configuration.proxy = .http(proxy)
        configuration.openTimeout = .seconds(60)  // a TSan-built client and server on a loaded CI machine
        return configuration
    }

    static func expectEcho(_ ws: WebSocket) async throws {
        try await ws.send(text: "through the tunnel")
        let large = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try await ws.send(binary: large)
        #expect(try await ws.receive() == .text("through the tunnel"))
        #expect(try await ws.receive()?.data == large)
        let info = try await ws.close()
        #expect(info.code == .normalClosure && info.wasClean)
    }

    /// The server's name reaches only the proxy, which resolves it: the client must not.
    @Test func wsThroughTheProxyLeavesNameResolutionToIt() async throws {
        let server = try ClientServerTests.echoServer()
        let ws = try await WebSocket.connect(
            to: "ws://upstream.invalid:\(server.port)/echo", configuration: Self.configuration(try ProxyPeer.open()))
        try await Self.expectEcho(ws)
        #expect(try await ProxyPeer.connects().contains("upstream.invalid:\(server.port) -"))
        await server.shutdown()
    }

    /// TLS runs inside the tunnel with the server: its certificate is checked against the URL's
    /// host, as without a proxy.
    @Test func wssThroughTheProxyVerifiesTheServer() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        let ws = try await WebSocket.connect(
            to: "wss://localhost:\(server.port)/", configuration: Self.configuration(try ProxyPeer.open()))
        try await Self.expectEcho(ws)
        #expect(try await ProxyPeer.connects().contains("localhost:\(server.port) -"))
        await server.shutdown()
    }

    @Test func wssThroughTheProxyStillRefusesAnUntrustedServer() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        var configuration = Self.configuration(try ProxyPeer.open())
        configuration.tls.trustRoots = .pemFile(TLSCertificates.path("other-ca.pem"))
        do {
            _ = try await SuiteLoop.connect(to: "wss://localhost:\(server.port)/", configuration: configuration)
            Issue.record("trusted a server through the proxy without its CA")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind, case .certificate = failure.kind else {
                Issue.record("\(error)"); return
            }
        }
        #expect(try await ProxyPeer.connects().contains("localhost:\(server.port) -"))
        await server.shutdown()
    }

    /// The certificate names 127.0.0.1, the proxy's address, but not `upstream.invalid`: it is
    /// checked against the URL's host, not against the host the socket reached.
    @Test func wssThroughTheProxyChecksTheURLsHostName() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        do {
            _ = try await WebSocket.connect(
                to: "wss://upstream.invalid:\(server.port)/", configuration: Self.configuration(try ProxyPeer.open()))
            Issue.record("accepted a certificate that does not name upstream.invalid")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind, case .certificate = failure.kind else {
                Issue.record("\(error)"); return
            }
            #expect(error.description.contains("upstream.invalid"), "\(error)")
        }
        #expect(try await ProxyPeer.connects().contains("upstream.invalid:\(server.port) -"))
        await server.shutdown()
    }

    /// A `Proxy-Authorization` among the request headers authenticates with the proxy and does
    /// not travel on to the server.
    @Test func proxyAuthorizationAmongTheHeadersGoesToTheProxyOnly() async throws {
        let seen = RedirectTests.Seen([])
        let server = try RedirectTests.server(seen: seen) { _ in .accept() }
        var headers = HTTPHeaders()
        headers.append(name: "Proxy-Authorization", value: "Basic " + Base64.encode(Array("alice:s3cret w@rd".utf8)))
        let ws = try await WebSocket.connect(
            to: "ws://127.0.0.1:\(server.port)/", headers: headers, configuration: Self.configuration(try ProxyPeer.guarded()))
        try await ws.close()
        #expect(seen.withLock { $0.first.map { !$0.headers.contains("Proxy-Authorization") } } == true)
        await server.shutdown()
    }

    @Test func aProxyThatNeverAnswersHitsTheOpenTimeout() async throws {
        var configuration = Self.configuration(try ProxyPeer.open())
        configuration.openTimeout = .milliseconds(500)
        do {
            _ = try await SuiteLoop.connect(to: "ws://silent.invalid:1/", configuration: configuration)
            Issue.record("connected through a silent proxy")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .connectTimeout)
        }
    }

    @Test func cancellingTheTaskEndsAWaitForTheProxy() async throws {
        let configuration = Self.configuration(try ProxyPeer.open())
        let attempt = Task { try await SuiteLoop.connect(to: "ws://silent.invalid:1/", configuration: configuration) }
        try await Task.sleep(for: .milliseconds(200))
        attempt.cancel()
        do {
            _ = try await attempt.value
            Issue.record("connected through a silent proxy")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .cancelled)
        }
    }

    @Test func aProxyThatHangsUpIsAClearError() async throws {
        do {
            _ = try await SuiteLoop.connect(to: "ws://hangup.invalid:1/", configuration: Self.configuration(try ProxyPeer.open()))
            Issue.record("connected through a proxy that hung up")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind, case .proxy(let message) = failure.kind else {
                Issue.record("\(error)"); return
            }
            #expect(message.contains("closed the connection before it answered"), "\(message)")
        }
    }

    @Test func aProxyThatWantsCredentialsIsAClearError() async throws {
        let server = try ClientServerTests.echoServer()
        let proxy = try ProxyPeer.guarded()
        do {
            _ = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.configuration(proxy))
            Issue.record("connected through a proxy that wants credentials")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .proxyRefused(status: 407, reason: "Proxy Authentication Required"))
            #expect(failure.endpoint == "127.0.0.1:\(proxy.port)")
            #expect(error.description.contains("credentials"), "\(error)")
        }
        await server.shutdown()
    }

    @Test func basicCredentialsOpenTheGuardedProxy() async throws {
        let server = try ClientServerTests.echoServer()
        let guarded = try ProxyPeer.guarded()
        let proxy = HTTPProxy(host: guarded.host, port: guarded.port, username: "alice", password: "s3cret w@rd")
        let ws = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.configuration(proxy))
        try await Self.expectEcho(ws)
        await server.shutdown()
    }

    /// The proxy could not reach the server: its 502 is the error, not a timeout.
    @Test func anUnreachableServerBehindTheProxyIsItsRefusal() async throws {
        do {  // nothing listens on port 1 (as in ClientServerTests)
            _ = try await WebSocket.connect(
                to: "ws://127.0.0.1:1/", configuration: Self.configuration(try ProxyPeer.open()))
            Issue.record("connected to a closed port")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .proxyRefused(status: 502, reason: "Bad Gateway"))
        }
    }

    @Test func aProxyThatIsNotListeningIsARefusedConnect() async throws {
        let server = try ClientServerTests.echoServer()
        do {
            _ = try await WebSocket.connect(
                to: "ws://127.0.0.1:\(server.port)/", configuration: Self.configuration(HTTPProxy(host: "127.0.0.1", port: 1)))
            Issue.record("connected through no proxy")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .connectionRefused && failure.endpoint == "127.0.0.1:1")
        }
        await server.shutdown()
    }
}
