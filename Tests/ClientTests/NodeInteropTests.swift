import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport
import WebSocketTransport

/// node's `ws` servers of `Tests/Fixtures/node/peer.js`: one process serves every test.
final class NodePeer: Sendable {
    static let shared: Result<NodePeer, any Error> = Result { try NodePeer() }

    private let process: PeerProcess

    private init() throws {
        process = try PeerProcess(
            "node", [PeerProcess.fixture("node/peer.js"), "server"], ports: 4,
            missing: "are nodejs and node-ws installed? (make test installs them)")
    }

    /// A URL of the server without compression.
    static func url(_ path: String) throws -> String { "ws://127.0.0.1:\(try shared.get().process.ports[0])\(path)" }
    /// … with permessage-deflate, ws's defaults (context takeover, 15-bit windows).
    static func deflateURL(_ path: String) throws -> String { "ws://127.0.0.1:\(try shared.get().process.ports[1])\(path)" }
    /// … with permessage-deflate without context takeover, server window 10 bits, client 9.
    static func smallDeflateURL(_ path: String) throws -> String { "ws://127.0.0.1:\(try shared.get().process.ports[2])\(path)" }
    /// … over TLS, presenting `Fixtures/tls/server.pem`.
    static func secureURL(_ path: String) throws -> String { "wss://127.0.0.1:\(try shared.get().process.ports[3])\(path)" }
}

/// Our client against node's `ws` (the most used WebSocket implementation): RFC 6455 and RFC 7692
/// with a peer we did not write, as python-websockets is in `PythonInteropTests`.
@Suite("Client interop with node's ws", .serialized, .timeLimit(.minutes(1)))
struct NodeInteropTests {
    func configuration() -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(20)  // a TSan-built client on a loaded 2-core machine
        configuration.closeTimeout = .seconds(5)
        return configuration
    }

    /// Text, binary, an empty and a large message, and a fragmented one of ours, echoed.
    func expectEchoes(_ ws: WebSocket) async throws {
        try await ws.send(text: "Hello, κόσμε")
        try await ws.send(binary: [0xCA, 0xFE])
        try await ws.send(text: "")
        try await ws.sendFragment(Array("frag".utf8), opcode: .text, isFinal: false)
        try await ws.sendFragment(Array("ment".utf8), opcode: .continuation, isFinal: true)
        let json = String(repeating: #"{"id": 12345, "name": "κόσμε", "tags": ["a", "b"]}, "#, count: 2000)
        try await ws.send(text: json)
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        try await ws.send(binary: large)
        #expect(try await ws.receive() == .text("Hello, κόσμε"))
        #expect(try await ws.receive() == .binary([0xCA, 0xFE]))
        #expect(try await ws.receive() == .text(""))
        #expect(try await ws.receive() == .text("fragment"))
        #expect(try await ws.receive() == .text(json))
        #expect(try await ws.receive()?.data == large)
    }

    @Test func echoWithoutCompression() async throws {
        let ws = try await WebSocket.connect(to: try NodePeer.url("/echo"), configuration: configuration())
        #expect(ws.openInfo?.extensions.isEmpty == true)
        try await expectEchoes(ws)
        let info = try await ws.close()
        #expect(info.code == .normalClosure && info.wasClean)
    }

    @Test func fragmentedMessagesFromThePeerAreReassembled() async throws {
        let ws = try await WebSocket.connect(to: try NodePeer.url("/fragmented"), configuration: configuration())
        #expect(try await ws.receive() == .text("fragmented"))
        #expect(try await ws.receive() == .binary([1, 2, 3]))
        try await ws.close()
    }

    @Test func peerPingIsAnsweredWithItsPayload() async throws {
        let ws = try await WebSocket.connect(to: try NodePeer.url("/ping"), configuration: configuration())
        #expect(try await ws.receive() == .text("pong received: from-node"))
        try await ws.close()
    }

    @Test("Close codes from the peer", arguments: [1000, 1001, 1008, 1011, 3000, 4999] as [UInt16])
    func closeCodesFromThePeer(code: UInt16) async throws {
        let ws = try await WebSocket.connect(to: try NodePeer.url("/close/\(code)"), configuration: configuration())
        do {
            while try await ws.receive() != nil {}
            #expect([1000, 1001].contains(code), "iteration ended normally for \(code)")
        } catch let error as WebSocketError {
            guard case .closed(let info) = error.kind else { Issue.record("\(error)"); return }
            #expect(info.code.rawValue == code)
        }
        let info = await ws.closed()
        #expect(info.code.rawValue == code && info.wasClean)
        #expect(info.reason == "closing with \(code)")
    }

    @Test func deflateWithContextTakeoverBothDirections() async throws {
        let ws = try await WebSocket.connect(to: try NodePeer.deflateURL("/compression"), configuration: configuration())
        let negotiated = try #require(try await ws.receive()?.text)
        // What we offered | what ws answered.
        #expect(negotiated.hasPrefix("permessage-deflate; client_max_window_bits |"), "\(negotiated)")
        #expect(negotiated.contains("| permessage-deflate"), "\(negotiated)")
        #expect(ws.openInfo?.extensions.first?.name == "permessage-deflate")
        try await expectEchoes(ws)
        try await expectEchoes(ws)  // the second round decodes against the kept contexts
        try await ws.close()
    }

    /// ws answers with `server_no_context_takeover; client_no_context_takeover;
    /// server_max_window_bits=10; client_max_window_bits=9`: we must compress with 9 bits and
    /// reset our context per message, and inflate with its 10-bit window.
    @Test func deflateWithoutContextTakeoverAndSmallWindows() async throws {
        let ws = try await WebSocket.connect(to: try NodePeer.smallDeflateURL("/compression"), configuration: configuration())
        let negotiated = try #require(try await ws.receive()?.text)
        let answer = negotiated.split(separator: "|").last.map(String.init) ?? ""
        for parameter in ["server_no_context_takeover", "client_no_context_takeover",
                          "server_max_window_bits=10", "client_max_window_bits=9"] {
            #expect(answer.contains(parameter), "\(negotiated)")
        }
        try await expectEchoes(ws)
        try await expectEchoes(ws)
        try await ws.close()
    }

    @Test func echoOverTLS() async throws {
        var configuration = configuration()
        configuration.tls.trustRoots = .pemFile(PeerProcess.fixture("tls/ca.pem"))
        let ws = try await WebSocket.connect(to: try NodePeer.secureURL("/echo"), configuration: configuration)
        try await expectEchoes(ws)
        let info = try await ws.close()
        #expect(info.code == .normalClosure && info.wasClean)
    }
}
