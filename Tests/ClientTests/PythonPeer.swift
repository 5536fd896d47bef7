import Foundation

/// The third-party peer of `Tests/Fixtures/peer.py`: python-websockets plus a raw TCP server for
/// misbehaving peers. One process serves every test; it exits when our stdin pipe closes.
final class PythonPeer: @unchecked Sendable {
    static let shared: Result<PythonPeer, any Error> = Result { try PythonPeer() }

    let wsPort: Int
    let rawPort: Int
    /// python-websockets over TLS, presenting `Fixtures/tls/server.pem`.
    let wssPort: Int
    let deflatePort: Int
    private let process = Process()
    private let stdin = Pipe()

    private init() throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/peer.py")
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerError("peer.py exited; is python-websockets installed? (make test installs it)") }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count == 5, words[0] == "READY", let ws = Int(words[1]), let raw = Int(words[2]),
              let wss = Int(words[3]), let deflate = Int(words[4]) else {
            throw PeerError("unexpected peer output: \(String(decoding: line, as: UTF8.self))")
        }
        wsPort = ws
        rawPort = raw
        deflatePort = deflate
        wssPort = wss
    }

    /// `Tests/Fixtures/tls/<name>`.
    static func certificate(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tls/\(name)").path
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

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
