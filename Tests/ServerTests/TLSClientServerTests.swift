import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketServer
@testable import WebSocketTransport

/// Our client against our server over `wss://` on loopback (RFC 6455 §4.1 /secure/, RFC 8446).
@Suite("wss:// client and server over loopback", .serialized, .timeLimit(.minutes(1)))
struct TLSClientServerTests {
    static func secureEchoServer(
        _ identity: String = "server", _ configure: (inout TLSServerConfiguration) throws -> Void = { _ in }
    ) throws -> WebSocketServer {
        var tls = try TLSCertificates.server(identity)
        try configure(&tls)
        return try ClientServerTests.echoServer { $0.tls = tls }
    }

    /// The `TransportError` a failed connect reports, or nil (recording an issue).
    static func transportFailure(_ url: String, _ configuration: WebSocket.Configuration) async -> TransportError? {
        await transportFailure(connecting: "to \(url)") { try await WebSocket.connect(to: url, configuration: configuration) }
    }

    /// The `TransportError` that `connect` (connecting `what`) throws, or nil (recording an
    /// issue) for a connection or any other error.
    static func transportFailure(connecting what: String, _ connect: () async throws -> WebSocket) async -> TransportError? {
        do {
            let ws = try await connect()
            _ = try? await ws.close()
            Issue.record("connected \(what)")
        } catch let error as WebSocketError {
            if case .transport(let failure) = error.kind { return failure }
            Issue.record("not a transport error: \(error)")
        } catch {
            Issue.record("\(error)")
        }
        return nil
    }

    /// `WebSocket.connect` takes its TLS context from the shared cache: a second connect with
    /// the same configuration makes none (OpenSSL 3 spends 140-290 µs on each).
    @Test func connectsWithOneConfigurationShareOneTLSContext() async throws {
        let server = try Self.secureEchoServer()
        var configuration = TLSCertificates.client()
        // Unique to this test, so that parallel tests cannot have cached it first.
        configuration.tls.applicationProtocols = ["http/1.1", "x-shared-context-test"]
        let key = try #require(ClientContextKey(configuration.tls))
        #expect(ClientContextCache.shared.context(for: key) == nil)
        let first = try await WebSocket.connect(to: "wss://localhost:\(server.port)/", configuration: configuration)
        let cached = try #require(ClientContextCache.shared.context(for: key))
        let second = try await WebSocket.connect(to: "wss://localhost:\(server.port)/", configuration: configuration)
        #expect(ClientContextCache.shared.context(for: key) === cached)
        try await first.send(text: "one")
        try await second.send(text: "two")
        #expect(try await first.receive() == .text("one"))
        #expect(try await second.receive() == .text("two"))
        try await first.close()
        try await second.close()
        await server.shutdown()
    }

    /// `wss://` to a plain server: our server answers the ClientHello with a 400, which the
    /// client's TLS reads as no TLS at all: a TLS error at once, not a timeout (the client would
    /// give up at 20 s, the server at 40). The first byte fails the head now; before, a whole
    /// ClientHello failed as fast on a CR or LF in its random bytes, which a short greeting
    /// need not hold (`aTLSClientHelloToAPlainPortIsRefusedAtOnce`).
    @Test func wssToAPlainServerFailsAtOnceAsTLS() async throws {
        let server = try ClientServerTests.echoServer { $0.connection.openTimeout = .seconds(40) }
        var configuration = TLSCertificates.client()
        configuration.openTimeout = .seconds(20)
        let failure = await Self.transportFailure("wss://localhost:\(server.port)/", configuration)
        guard case .tls(let reason)? = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(!reason.isEmpty)
        await server.shutdown()
    }

    @Test func textAndBinaryEchoOverWSS() async throws {
        let server = try Self.secureEchoServer()
        // A DNS name: verified against DNS:localhost and sent as SNI.
        let ws = try await WebSocket.connect(to: "wss://localhost:\(server.port)/echo", configuration: TLSCertificates.client())
        try await ws.send(text: "héllo over TLS")
        let big = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try await ws.send(binary: big)
        #expect(try await ws.receive() == .text("héllo over TLS"))
        #expect(try await ws.receive()?.data == big)
        let info = try await ws.close()
        #expect(info.wasClean && info.code == .normalClosure)
        await server.shutdown()
    }

    @Test func ipAddressIsVerifiedAgainstTheIPSubjectAltName() async throws {
        let server = try Self.secureEchoServer("ip-only")
        let ws = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: TLSCertificates.client())
        try await ws.send(text: "ip")
        #expect(try await ws.receive() == .text("ip"))
        try await ws.close()
        await server.shutdown()
    }

    @Test func untrustedCAIsRefused() async throws {
        let server = try Self.secureEchoServer()
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", TLSCertificates.client(trust: "other-ca.pem"))
        guard case .certificate(let certificate) = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(certificate.reason == .unknownAuthority)
        #expect(failure?.description.contains("unknown CA: unable to get local issuer certificate") == true, "\(String(describing: failure))")
        await server.shutdown()
    }

    @Test func wrongHostNameIsRefusedListingTheCertificateNames() async throws {
        let server = try Self.secureEchoServer()
        var configuration = TLSCertificates.client()
        configuration.tls.serverName = "wrong.example"
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", configuration)
        let text = failure?.description ?? ""
        #expect(text.contains("host name mismatch: expected wrong.example, got DNS:localhost, IP:127.0.0.1, IP:::1"), "\(text)")
        await server.shutdown()
    }

    @Test func hostNameThatIsOnlyAnIPEntryIsRefused() async throws {
        let server = try Self.secureEchoServer("ip-only")
        var configuration = TLSCertificates.client()
        configuration.tls.serverName = "localhost"
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", configuration)
        #expect(failure?.description.contains("host name mismatch: expected localhost, got IP:127.0.0.1") == true, "\(String(describing: failure))")
        await server.shutdown()
    }

    /// `updateTLS`: a certificate replaced while the server runs. The first names 127.0.0.1
    /// only, so `localhost` is refused; after the update `localhost` connects, and the
    /// connection opened before goes on with the old one.
    @Test func theCertificateIsReplacedWithoutARestart() async throws {
        let server = try Self.secureEchoServer("ip-only")
        let client = TLSCertificates.client()
        let before = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: client)
        let refused = await Self.transportFailure("wss://localhost:\(server.port)/", client)
        #expect(refused?.description.contains("host name mismatch") == true, "\(String(describing: refused))")

        try server.updateTLS(try TLSCertificates.server("server"))
        #expect(server.configuration.tls?.identity.certificateDER == (try TLSCertificates.identity("server").certificateDER))
        let after = try await WebSocket.connect(to: "wss://localhost:\(server.port)/", configuration: client)
        try await after.send(text: "new")
        #expect(try await after.receive() == .text("new"))
        try await before.send(text: "old")
        #expect(try await before.receive() == .text("old"), "the connection opened before the update goes on")
        try await after.close()
        try await before.close()
        await server.shutdown()
    }

    /// A plain server cannot start TLS (its clients speak ws://): refused, and it goes on.
    @Test func aPlainServerRefusesATLSUpdate() async throws {
        let server = try ClientServerTests.echoServer()
        #expect(throws: WebSocketError.self) { try server.updateTLS(try TLSCertificates.server()) }
        #expect(server.configuration.tls == nil)
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        try await ws.close()
        await server.shutdown()
    }

    @Test func expiredCertificateIsRefused() async throws {
        let server = try Self.secureEchoServer("expired")
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", TLSCertificates.client())
        let text = failure?.description ?? ""
        #expect(text.contains("certificate has expired (not valid after Jan  2 00:00:00 2020 GMT)"), "\(text)")
        await server.shutdown()
    }

    @Test func mutualTLSWorksAndAMissingClientCertificateIsRefused() async throws {
        let server = try Self.secureEchoServer { $0.clientAuthentication = .required(trustRoots: .pemFile(TLSCertificates.path("ca.pem"))) }
        var withIdentity = TLSCertificates.client()
        withIdentity.tls.identity = try TLSCertificates.identity("client")
        let ws = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: withIdentity)
        try await ws.send(text: "mutual")
        #expect(try await ws.receive() == .text("mutual"))
        try await ws.close()

        // TLS 1.3: the client's handshake completes before the server checks; the server's
        // certificate_required alert then fails the opening handshake.
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", TLSCertificates.client())
        let text = failure?.description ?? ""
        #expect(text.contains("certificate required"), "\(text)")
        await server.shutdown()
    }

    @Test func pinningHookCanAcceptAndReject() async throws {
        let server = try Self.secureEchoServer()
        let pinned = try TLSCertificates.identity("server").certificateDER
        var matching = TLSCertificates.client()
        matching.tls.verificationHook = { chain in chain.first == pinned }
        let ws = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: matching)
        try await ws.close()

        var other = TLSCertificates.client()
        let otherPin = try TLSCertificates.identity("client").certificateDER
        other.tls.verificationHook = { chain in chain.first == otherPin }
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", other)
        guard case .certificate(let certificate) = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(certificate.reason == .rejectedByHook)
        #expect(failure?.description.contains("rejected by the verification hook") == true)
        await server.shutdown()
    }

    @Test func serverNameIndicationSelectsTheCertificate() async throws {
        let sni = try TLSCertificates.identity("sni-chain", key: "sni")
        let server = try Self.secureEchoServer { $0.serverNameHandler = { name in name == "sni.test" ? sni : nil } }
        var configuration = TLSCertificates.client()
        configuration.tls.serverName = "sni.test"
        let ws = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: configuration)
        try await ws.send(text: "sni")
        #expect(try await ws.receive() == .text("sni"))
        try await ws.close()
        await server.shutdown()
    }

    @Test func wssClientAgainstAPlainServerFailsWithAHint() async throws {
        let server = try ClientServerTests.echoServer()
        let failure = await Self.transportFailure("wss://127.0.0.1:\(server.port)/", TLSCertificates.client())
        guard case .tls = failure?.kind else { Issue.record("\(String(describing: failure))"); return }
        #expect(failure?.description.contains("ws:// vs wss://") == true, "\(String(describing: failure))")
        await server.shutdown()
    }

    @Test func maxConnectionsAnswers503OverTLS() async throws {
        // The 503 is written before the TLS handshake has even started: it waits for it.
        let server = try ClientServerTests.echoServer {
            $0.maxConnections = 1
            $0.tls = try? TLSCertificates.server()
        }
        let first = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: TLSCertificates.client())
        do {
            _ = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: TLSCertificates.client())
            Issue.record("a second connection was admitted")
        } catch let error as WebSocketError {
            #expect(error.description.contains("503"), "\(error)")
        }
        try await first.close()
        await server.shutdown()
    }

    @Test func clientThatNeverStartsTLSIsDroppedAtTheOpenTimeout() async throws {
        let server = try ClientServerTests.echoServer {
            $0.connection.openTimeout = .milliseconds(300)
            $0.tls = try? TLSCertificates.server()
        }
        let start = ContinuousClock.now
        let response = try await RawClient.exchange(port: server.port, request: "", waitForClose: true)
        let elapsed = ContinuousClock.now - start
        #expect(response.isEmpty)
        // Closed by the server (RawClient throws if not), and not before the timer was due.
        #expect(elapsed >= .milliseconds(250), "dropped after \(elapsed)")
        await server.shutdown()
    }

    @Test func gracefulShutdownOverTLSSends1001() async throws {
        let server = try Self.secureEchoServer()
        let ws = try await WebSocket.connect(to: "wss://127.0.0.1:\(server.port)/", configuration: TLSCertificates.client())
        try await ws.send(text: "x")
        #expect(try await ws.receive() == .text("x"))
        await server.shutdown()
        let info = await ws.closed()
        #expect(info.code == .goingAway)
        #expect(info.wasClean)
    }

    @Test func hundredConcurrentSecureConnections() async throws {
        let server = try ClientServerTests.echoServer {
            $0.eventLoopCount = 2
            $0.tls = try? TLSCertificates.server()
        }
        let port = server.port
        let echoed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let ws = try await WebSocket.connect(to: "wss://127.0.0.1:\(port)/", configuration: TLSCertificates.client())
                    try await ws.send(text: "message \(index)")
                    let reply = try await ws.receive()
                    try await ws.close()
                    return reply == .text("message \(index)")
                }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(echoed == 100)
        await server.shutdown()
    }
}
