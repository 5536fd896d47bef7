import Foundation
import WebSocketTestSupport

/// The third-party peer of `Tests/Fixtures/peer.py`: python-websockets plus a raw TCP server for
/// misbehaving peers. One process serves every test; it exits when our stdin pipe closes.
final class PythonPeer: Sendable {
    static let shared: Result<PythonPeer, any Error> = Result { try PythonPeer() }

    let wsPort: Int
    let rawPort: Int
    /// python-websockets over TLS, presenting `Fixtures/tls/server.pem`.
    let wssPort: Int
    let deflatePort: Int
    private let process: PeerProcess

    private init() throws {
        process = try PeerProcess(
            "python3", [PeerProcess.fixture("peer.py")], ports: 4,
            missing: "is python-websockets installed? (make test installs it)")
        wsPort = process.ports[0]
        rawPort = process.ports[1]
        wssPort = process.ports[2]
        deflatePort = process.ports[3]
    }

    /// `Tests/Fixtures/tls/<name>`.
    static func certificate(_ name: String) -> String {
        PeerProcess.fixture("tls/\(name)")
    }

    /// A `wss://` URL of the TLS peer, on `host` (its certificate names localhost and 127.0.0.1).
    static func secureURL(_ path: String, host: String = "127.0.0.1") throws -> String {
        "wss://\(host):\(try shared.get().wssPort)\(path)"
    }

    static func url(_ path: String) throws -> String {
        "ws://127.0.0.1:\(try shared.get().wsPort)\(path)"
    }

    static func deflateURL(_ path: String) throws -> String {
        "ws://127.0.0.1:\(try shared.get().deflatePort)\(path)"
    }

    static func rawURL(_ path: String) throws -> String {
        "ws://127.0.0.1:\(try shared.get().rawPort)\(path)"
    }
}
