import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketHandshake
import WebSocketTransport

/// Our client against python-websockets, a peer we did not write, over loopback.
@Suite("Client interop with python-websockets", .serialized, .timeLimit(.minutes(1)))
struct PythonInteropTests {
    func configuration(closeTimeout: Duration = .seconds(5)) -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.closeTimeout = closeTimeout
        // Generous: these tests check interoperation, not timing, and under the sanitizer runs
        // (every suite at once on two cores) a handshake with the Python peer once took over 5 s.
        configuration.openTimeout = .seconds(20)
        return configuration
    }

    @Test func textAndBinaryEcho() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/echo"), configuration: configuration())
        try await ws.send(text: "Hello, κόσμε")
        try await ws.send(binary: [0, 1, 2, 255])
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        try await ws.send(binary: large)
        #expect(try await ws.receive() == .text("Hello, κόσμε"))
        #expect(try await ws.receive() == .binary([0, 1, 2, 255]))
        #expect(try await ws.receive()?.data == large)
        let info = try await ws.close()
        #expect(info.code == .normalClosure)
        #expect(info.wasClean)
    }

    @Test func fragmentedMessagesFromThePeerAreReassembled() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/fragmented"), configuration: configuration())
        #expect(try await ws.receive() == .text("fragmented"))
        #expect(try await ws.receive() == .binary([1, 2, 3]))
        try await ws.close()
    }

    @Test func fragmentedMessagesWeSendAreReassembledByThePeer() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/echo"), configuration: configuration())
        try await ws.sendFragment(Array("frag".utf8), opcode: .text, isFinal: false)
        try await ws.ping([1])
        try await ws.sendFragment(Array("ment".utf8), opcode: .continuation, isFinal: true)
        #expect(try await ws.receive() == .text("fragment"))
        try await ws.close()
    }

    @Test func peerPingIsAnsweredWithAPong() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/ping"), configuration: configuration())
        #expect(try await ws.receive() == .text("pong received"))
        try await ws.close()
    }

    @Test("Close codes from the peer", arguments: [1000, 1001, 1008, 1011, 3000, 4999] as [UInt16])
    func closeCodesFromThePeer(code: UInt16) async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/close/\(code)"), configuration: configuration())
        do {
            while try await ws.receive() != nil {}
            #expect(code == 1000 || code == 1001, "only a normal closure ends iteration without an error")
        } catch let error as WebSocketError {
            guard case .closed(let info) = error.kind else { Issue.record("\(error)"); return }
            #expect(info.code.rawValue == code)
        }
        let info = await ws.closed()
        #expect(info.code.rawValue == code)
        #expect(info.reason == "closing with \(code)")
        #expect(info.wasClean)
    }

    @Test func subprotocolIsNegotiated() async throws {
        var configuration = configuration()
        configuration.connection.subprotocols = ["superchat", "chat"]
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/subprotocol"), configuration: configuration)
        #expect(ws.subprotocol == "chat")
        try await ws.close()
    }

    @Test func extraRequestHeadersReachThePeer() async throws {
        let ws = try await WebSocket.connect(
            to: try PythonPeer.url("/headers"), headers: ["X-Test": "hello"], configuration: configuration())
        #expect(try await ws.receive() == .text("hello"))
        try await ws.close()
    }

    @Test func status200IsAClearError() async throws {
        do {
            _ = try await WebSocket.connect(to: try PythonPeer.rawURL("/status200"), configuration: configuration())
            Issue.record("connected to a server that answered 200")
        } catch let error as WebSocketError {
            #expect(error.description.contains("200"), "\(error)")
        }
    }

    @Test func badAcceptKeyIsAClearError() async throws {
        do {
            _ = try await WebSocket.connect(to: try PythonPeer.rawURL("/badaccept"), configuration: configuration())
            Issue.record("connected despite a wrong Sec-WebSocket-Accept")
        } catch let error as WebSocketError {
            #expect(error.description.lowercased().contains("accept"), "\(error)")
        }
    }

    @Test func peerThatNeverAnswersTheUpgradeHitsTheOpenTimeout() async throws {
        var configuration = configuration()
        configuration.openTimeout = .milliseconds(300)
        let url = try PythonPeer.rawURL("/nohandshake")  // before the clock: the first use starts the peer
        let start = ContinuousClock.now
        do {
            _ = try await WebSocket.connect(to: url, configuration: configuration)
            Issue.record("connected without a handshake")
        } catch let error as WebSocketError {
            guard case .connection(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .openTimeout)
        }
        // The configured 300 ms, not the 10 s default (a wide margin: sanitizer runs are slow).
        #expect(ContinuousClock.now - start < .seconds(9))
    }

    @Test func peerThatVanishesHitsTheCloseTimeout() async throws {
        let ws = try await WebSocket.connect(
            to: try PythonPeer.rawURL("/silent"), configuration: configuration(closeTimeout: .milliseconds(300)))
        let info = try await ws.close()
        #expect(!info.wasClean)
        #expect(info.error?.kind == .closeTimeout)
    }

    @Test func silentPeerFailsTheKeepalive() async throws {
        var configuration = configuration()
        configuration.pingInterval = .milliseconds(100)
        configuration.pingTimeout = .milliseconds(200)
        configuration.closeTimeout = .milliseconds(200)
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration)
        let info = await ws.closed()
        #expect(info.error?.kind == .keepaliveTimeout)
        #expect(info.code == .internalError)
    }

    @Test func connectionRefusedIsATransportError() async throws {
        do {
            _ = try await WebSocket.connect(to: "ws://127.0.0.1:1/", configuration: configuration())
            Issue.record("connected to port 1")
        } catch let error as WebSocketError {
            guard case .transport = error.kind else { Issue.record("\(error)"); return }
        }
    }
}

/// Our client against python-websockets over TLS (Python's `ssl`, i.e. an OpenSSL server we did
/// not configure through our own code): RFC 6455 §4.1 /secure/.
@Suite("Client interop with python-websockets over wss://", .serialized, .timeLimit(.minutes(1)))
struct PythonSecureInteropTests {
    func configuration(trust: String = "ca.pem") -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(20)  // as above: the TLS handshake under the sanitizer runs
        configuration.closeTimeout = .seconds(5)
        configuration.tls.trustRoots = .pemFile(PythonPeer.certificate(trust))
        return configuration
    }

    @Test("Echo over TLS, by IP address and by host name", arguments: ["127.0.0.1", "localhost"])
    func echoOverTLS(host: String) async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.secureURL("/echo", host: host), configuration: configuration())
        try await ws.send(text: "Hello, κόσμε")
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        try await ws.send(binary: large)
        #expect(try await ws.receive() == .text("Hello, κόσμε"))
        #expect(try await ws.receive()?.data == large)
        let info = try await ws.close()
        #expect(info.code == .normalClosure)
        #expect(info.wasClean)
    }

    @Test func closeCodeFromThePeerOverTLS() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.secureURL("/close/1001"), configuration: configuration())
        while try await ws.receive() != nil {}
        let info = await ws.closed()
        #expect(info.code == .goingAway && info.wasClean)
    }

    @Test func peerThatNeverAnswersTheTLSHandshakeHitsTheOpenTimeout() async throws {
        var configuration = configuration()
        configuration.openTimeout = .milliseconds(300)
        // Before the clock: the first use of the peer starts it.
        let url = "wss://127.0.0.1:\(try PythonPeer.shared.get().rawPort)/nohandshake"
        let start = ContinuousClock.now
        do {
            // The raw peer reads our ClientHello as the start of an HTTP request and waits.
            _ = try await WebSocket.connect(to: url, configuration: configuration)
            Issue.record("connected without a TLS handshake")
        } catch let error as WebSocketError {
            guard case .transport(let failure) = error.kind else { Issue.record("\(error)"); return }
            #expect(failure.kind == .connectTimeout)
        }
        // The configured 300 ms, not the 10 s default (a wide margin: sanitizer runs are slow).
        #expect(ContinuousClock.now - start < .seconds(9))
    }

    @Test func untrustedPeerCertificateIsRefused() async throws {
        do {
            _ = try await WebSocket.connect(to: try PythonPeer.secureURL("/echo"), configuration: configuration(trust: "other-ca.pem"))
            Issue.record("trusted a certificate from an unknown CA")
        } catch let error as WebSocketError {
            #expect(error.description.contains("unknown CA"), "\(error)")
        }
    }
}
