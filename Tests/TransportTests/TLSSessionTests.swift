import Testing
import WebSocketTransport

/// Two sessions wired back to back in memory: no sockets, no threads (DESIGN.md §5).
struct SessionPair {
    let client: TLSSession
    let server: TLSSession

    init(client: TLSContext, server: TLSContext, serverName: String = "localhost") throws {
        self.client = try TLSSession(context: client, serverName: serverName)
        self.server = try TLSSession(context: server)
    }

    /// Runs the handshake to completion; the first side that fails throws (its alert is
    /// delivered to the other side first, so that both can be inspected).
    func handshake() throws {
        for _ in 0..<10 {
            let clientDone: Bool
            do {
                clientDone = try client.handshake()
            } catch {
                server.feed(client.takeCiphertext())
                throw error
            }
            server.feed(client.takeCiphertext())
            let serverDone: Bool
            do {
                serverDone = try server.handshake()
            } catch {
                client.feed(server.takeCiphertext())
                throw error
            }
            client.feed(server.takeCiphertext())
            if clientDone && serverDone { return }
        }
        Issue.record("the handshake did not finish")
    }

    /// Whatever `from` encrypted, decrypted by `to`.
    static func transfer(from sender: TLSSession, to receiver: TLSSession) throws -> [UInt8]? {
        receiver.feed(sender.takeCiphertext())
        var received: [UInt8] = []
        while true {
            guard let chunk = try receiver.readPlaintext() else { return received.isEmpty ? nil : received }
            if chunk.isEmpty { return received }
            received += chunk
        }
    }
}

@Suite("RFC 8446 TLS session in memory")
struct TLSSessionTests {
    @Test func handshakeThenPlaintextBothWays() throws {
        let pair = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server())
        try pair.handshake()
        #expect(pair.client.isHandshakeComplete && pair.server.isHandshakeComplete)
        #expect(pair.client.negotiatedVersion == .v1_3)
        // RFC 7301: the client offered http/1.1 and the server chose it.
        #expect(pair.client.negotiatedApplicationProtocol == "http/1.1")
        #expect(pair.server.negotiatedApplicationProtocol == "http/1.1")
        #expect(pair.server.requestedServerName == "localhost")

        try pair.client.writePlaintext(Array("hello".utf8))
        #expect(try SessionPair.transfer(from: pair.client, to: pair.server) == Array("hello".utf8))
        let large = pattern(200_000)
        try pair.server.writePlaintext(large)
        #expect(try SessionPair.transfer(from: pair.server, to: pair.client) == large)
    }

    @Test func headerAndPayloadShareRecordsAndArriveInOrder() throws {
        let pair = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server())
        try pair.handshake()
        let header: [UInt8] = [0x82, 0x7E, 0x9C, 0x40]
        for size in [0, 5, 16_380, 40_000] {
            let payload = pattern(size, seed: size)
            try pair.client.writePlaintext(header: header, payload: payload)
            #expect(try SessionPair.transfer(from: pair.client, to: pair.server) == header + payload)
        }
    }

    @Test func closeNotifyEndsTheStream() throws {
        let pair = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server())
        try pair.handshake()
        try pair.client.writePlaintext(Array("last".utf8))
        pair.client.shutdown()
        #expect(pair.client.sentCloseNotify)
        #expect(throws: TransportError.self) { try pair.client.writePlaintext([1]) }
        pair.server.feed(pair.client.takeCiphertext())
        #expect(try pair.server.readPlaintext() == Array("last".utf8))
        #expect(try pair.server.readPlaintext() == nil)
        #expect(pair.server.receivedCloseNotify)
    }

    @Test func expiredCertificateIsRefusedWithItsDates() throws {
        let pair = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server("expired"))
        let kind = transportErrorKind { try pair.handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .expired)
        #expect(failure.openSSLReason == "certificate has expired")
        #expect(failure.description.contains("certificate has expired (not valid after Jan  2 00:00:00 2020 GMT)"))
        // The server learns why from our alert (RFC 8446 §6.2 certificate_expired).
        let serverKind = transportErrorKind { _ = try pair.server.readPlaintext() }
        guard case .tls(let reason) = serverKind else { Issue.record("\(String(describing: serverKind))"); return }
        #expect(reason.contains("certificate expired"), "\(reason)")
    }

    @Test func hostNameMismatchListsTheCertificateNames() throws {
        let pair = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server(), serverName: "example.com")
        let kind = transportErrorKind { try pair.handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .hostNameMismatch(expected: "example.com", presented: ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]))
        #expect(failure.description.hasPrefix("host name mismatch: expected example.com, got DNS:localhost, IP:127.0.0.1, IP:::1"))
        #expect(failure.openSSLReason == "hostname mismatch")
    }

    @Test func ipAddressIsVerifiedAgainstIPAddressEntries() throws {
        let good = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server("ip-only"), serverName: "127.0.0.1")
        try good.handshake()
        // RFC 6066 §3: no SNI for an IP literal.
        #expect(good.server.requestedServerName == nil)
        // IPv6, in URL brackets or not, against IP:::1.
        for name in ["::1", "[::1]", "0:0:0:0:0:0:0:1"] {
            try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server(), serverName: name).handshake()
        }
        let bad = try SessionPair(client: TLSFixtures.client(), server: TLSFixtures.server("ip-only"), serverName: "localhost")
        let kind = transportErrorKind { try bad.handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .hostNameMismatch(expected: "localhost", presented: ["IP:127.0.0.1"]))
    }

    @Test func unknownAuthorityIsNamed() throws {
        let pair = try SessionPair(client: TLSFixtures.client(trust: "other-ca.pem"), server: TLSFixtures.server())
        let kind = transportErrorKind { try pair.handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .unknownAuthority)
        #expect(failure.description.hasPrefix("unknown CA: unable to get local issuer certificate"))
        #expect(failure.issuer?.contains("SwiftWebSocket Test CA") == true)
    }

    @Test func verificationHookSeesTheVerifiedChainAndCanRefuse() throws {
        let leaf = try TLSFixtures.identity("server").certificateDER
        let accepting = try TLSFixtures.client { $0.verificationHook = { chain in chain.count == 2 && chain[0] == leaf } }
        try SessionPair(client: accepting, server: TLSFixtures.server()).handshake()
        let refusing = try TLSFixtures.client { $0.verificationHook = { _ in false } }
        let kind = transportErrorKind { try SessionPair(client: refusing, server: TLSFixtures.server()).handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .rejectedByHook)
    }

    @Test func serverNameHandlerPicksTheCertificateAndItsChain() throws {
        let sni = try TLSFixtures.identity("sni-chain", key: "sni")
        let server = try TLSFixtures.server { $0.serverNameHandler = { name in name == "sni.test" ? sni : nil } }
        let pair = try SessionPair(client: TLSFixtures.client(), server: server, serverName: "sni.test")
        try pair.handshake()
        #expect(pair.server.requestedServerName == "sni.test")
        // Leaf, intermediate (sent by the server), root (from our trust store).
        #expect(pair.client.peerCertificateChain.count == 3)
        #expect(pair.client.peerCertificateChain.first == sni.certificateDER)
        // Another name keeps the default certificate.
        try SessionPair(client: TLSFixtures.client(), server: server, serverName: "localhost").handshake()
    }

    @Test func mutualTLSRequiresAClientCertificate() throws {
        let server = try TLSFixtures.server { $0.clientAuthentication = .required(trustRoots: .pemFile(TLSFixtures.path("ca.pem"))) }
        let withoutIdentity = try SessionPair(client: TLSFixtures.client(), server: server)
        let kind = transportErrorKind { try withoutIdentity.handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .missing)

        let identity = try TLSFixtures.identity("client")
        let withIdentity = try SessionPair(client: TLSFixtures.client { $0.identity = identity }, server: server)
        try withIdentity.handshake()
        try withIdentity.client.writePlaintext([1, 2, 3])
        #expect(try SessionPair.transfer(from: withIdentity.client, to: withIdentity.server) == [1, 2, 3])
        #expect(withIdentity.server.peerCertificateChain.first == identity.certificateDER)
    }

    @Test func noCommonApplicationProtocolIsFatal() throws {
        let client = try TLSFixtures.client { $0.applicationProtocols = ["h2"] }
        let kind = transportErrorKind { try SessionPair(client: client, server: TLSFixtures.server()).handshake() }
        guard case .tls(let reason) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(reason.contains("application protocol"), "\(reason)")
    }

    @Test func tls12WorksAndTheMinimumVersionIsEnforced() throws {
        let server = try TLSFixtures.server { $0.maximumVersion = .v1_2 }
        let pair = try SessionPair(client: TLSFixtures.client(), server: server)
        try pair.handshake()
        #expect(pair.client.negotiatedVersion == .v1_2)
        #expect(pair.client.negotiatedApplicationProtocol == "http/1.1")
        try pair.server.writePlaintext(Array("over RFC 5246".utf8))
        #expect(try SessionPair.transfer(from: pair.server, to: pair.client) == Array("over RFC 5246".utf8))

        let strict = try TLSFixtures.client { $0.minimumVersion = .v1_3 }
        let kind = transportErrorKind { try SessionPair(client: strict, server: server).handshake() }
        guard case .tls(let reason) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(TransportError(.tls(reason: reason)).description.contains("no TLS version in common"), "\(reason)")
    }

    @Test func mutualTLSOverTLS12() throws {
        let server = try TLSFixtures.server {
            $0.maximumVersion = .v1_2
            $0.clientAuthentication = .required(trustRoots: .pem(Array(try OpenSSLFile.read(TLSFixtures.path("ca.pem")))))
        }
        // RFC 5246 §7.4.6: without a certificate the server aborts during the handshake.
        let kind = transportErrorKind { try SessionPair(client: TLSFixtures.client(), server: server).handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .missing)
        let identity = try TLSFixtures.identity("client")
        try SessionPair(client: TLSFixtures.client { $0.identity = identity }, server: server).handshake()
    }
}

@Suite("TLS configuration errors")
struct TLSConfigurationTests {
    @Test func clientSessionNeedsAName() throws {
        let context = try TLSFixtures.client()
        let kind = transportErrorKind { _ = try TLSSession(context: context) }
        guard case .tlsConfiguration = kind else { Issue.record("\(String(describing: kind))"); return }
    }

    @Test func mismatchedKeyIsRefused() {
        let kind = transportErrorKind { _ = try TLSFixtures.identity("server", key: "client") }
        guard case .tlsConfiguration(let message) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(message.contains("does not match"), "\(message)")
    }

    @Test func missingFileAndBadPEMAreNamed() {
        let missing = transportErrorKind { _ = try TLSIdentity(certificateChainFile: "/nonexistent.pem", privateKeyFile: "/nonexistent.key") }
        guard case .tlsConfiguration(let message) = missing else { Issue.record("\(String(describing: missing))"); return }
        #expect(message.contains("/nonexistent.pem"), "\(message)")
        let bad = transportErrorKind { _ = try TLSIdentity(certificateChainPEM: Array("not pem".utf8), privateKeyPEM: []) }
        guard case .tlsConfiguration(let text) = bad else { Issue.record("\(String(describing: bad))"); return }
        #expect(text.contains("no PEM certificate"), "\(text)")
        let roots = transportErrorKind { _ = try TLSFixtures.client { $0.trustRoots = .pem(Array("junk".utf8)) } }
        guard case .tlsConfiguration = roots else { Issue.record("\(String(describing: roots))"); return }
    }

    @Test func systemTrustRootsLoadAndRefuseOurTestCA() throws {
        let system = try TLSContext(client: TLSConfiguration())
        let kind = transportErrorKind { try SessionPair(client: system, server: TLSFixtures.server()).handshake() }
        guard case .certificate(let failure) = kind else { Issue.record("\(String(describing: kind))"); return }
        #expect(failure.reason == .unknownAuthority)
    }

    @Test func roleMismatchIsRefused() async throws {
        let server = try TLSFixtures.server()
        try await withLoops { loops in
            #expect(throws: TransportError.self) {
                _ = try Listener.bind(host: "127.0.0.1", port: 0, tls: try TLSFixtures.client(), on: loops[0]) { _ in }
            }
            await #expect(throws: TransportError.self) {
                _ = try await Channel.connect(host: "127.0.0.1", port: 9, timeout: .seconds(1), tls: server, on: loops[0], handler: EchoHandler())
            }
        }
    }
}
