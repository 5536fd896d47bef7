import Foundation
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// A server on a Unix domain socket (`Configuration.unixSocketPath`), with our client and
/// python-websockets connecting through it.
@Suite("Server and client over a Unix domain socket", .timeLimit(.minutes(1)))
struct UnixSocketServerTests {
    /// A fresh socket path in the temporary directory.
    static func freshPath() -> String {
        "/tmp/sws-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    /// Removes what a server at `path` leaves: the lock file beside the socket's.
    static func removeLock(_ path: String) {
        try? FileManager.default.removeItem(atPath: path + ".lock")
    }

    static func echoServer(
        at path: String, seen: Locked<[UpgradeRequest]> = Locked([]),
        _ configure: (inout WebSocketServer.Configuration) -> Void = { _ in }
    ) throws -> WebSocketServer {
        try ClientServerTests.echoServer({ configuration in
            configuration.unixSocketPath = path
            configure(&configuration)
        }, shouldUpgrade: { upgrade in
            seen.withLock { $0.append(upgrade) }
            return .accept()
        })
    }

    @Test func ourClientEchoesThroughTheSocket() async throws {
        let path = Self.freshPath()
        let seen = Locked<[UpgradeRequest]>([])
        let server = try Self.echoServer(at: path, seen: seen)
        #expect(server.localAddress.description == "unix:\(path)")
        #expect(server.port == 0)
        var configuration = WebSocket.Configuration()
        configuration.unixSocketPath = path
        let ws = try await WebSocket.connect(to: "ws://app.internal/chat?room=1", configuration: configuration)
        try await ws.send(text: "héllo")
        #expect(try await ws.receive() == .text("héllo"))
        _ = try await ws.close()
        let request = try #require(seen.withLock { $0.first })
        #expect(request.remoteAddress == nil, "a Unix socket client has no address")
        #expect(request.request.host == "app.internal")
        #expect(request.request.path == "/chat")
        await server.shutdown()
        #expect(!FileManager.default.fileExists(atPath: path), "shutdown removes the socket file")
        Self.removeLock(path)
    }

    @Test func wssThroughTheSocket() async throws {
        let path = Self.freshPath()
        let tls = try TLSCertificates.server()
        let server = try Self.echoServer(at: path) { $0.tls = tls }
        var configuration = TLSCertificates.client()
        configuration.unixSocketPath = path
        let ws = try await WebSocket.connect(to: "wss://localhost/", configuration: configuration)
        try await ws.send(binary: [1, 2, 3])
        #expect(try await ws.receive() == .binary([1, 2, 3]))
        _ = try await ws.close()
        await server.shutdown()
        Self.removeLock(path)
    }

    @Test func pythonClientEchoesThroughTheSocket() async throws {
        let path = Self.freshPath()
        let server = try Self.echoServer(at: path)
        let result = try await PythonClientTests.runPythonClient("ws://localhost/", ["compression", "--unix", path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        await server.shutdown()
        Self.removeLock(path)
    }

    /// HAProxy's `send-proxy-v2` to a `unix@` server: the header's client is the client.
    @Test func aProxyProtocolHeaderOverTheSocket() async throws {
        let path = Self.freshPath()
        let seen = Locked<[UpgradeRequest]>([])
        let server = try Self.echoServer(at: path, seen: seen) { $0.proxyProtocol = true }
        let header = Array("PROXY TCP4 198.51.100.9 10.0.0.1 60000 443\r\n".utf8)
        let hex = header.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
        let result = try await PythonClientTests.runPythonClient("ws://localhost/", ["--unix", path, "--proxy-header", hex])
        #expect(result.status == 0, "\(result.output)")
        #expect(seen.withLock { $0.map(\.remoteAddress) } == ["198.51.100.9:60000"])
        await server.shutdown()
        Self.removeLock(path)
    }

    @Test func anExplicitProxyCannotBeCombined() async throws {
        var configuration = WebSocket.Configuration()
        configuration.unixSocketPath = Self.freshPath()
        configuration.proxy = .http(HTTPProxy(host: "127.0.0.1", port: 1))
        do {
            _ = try await WebSocket.connect(to: "ws://localhost/", configuration: configuration)
            Issue.record("connected")
        } catch let error as WebSocketError {
            guard case .transport(let transport) = error.kind, case .proxy = transport.kind else {
                return #expect(Bool(false), "\(error)")
            }
        }
    }

    @Test func aSecondServerOnTheSamePathFailsToStart() async throws {
        let path = Self.freshPath()
        let server = try Self.echoServer(at: path)
        do {
            _ = try Self.echoServer(at: path)
            Issue.record("a second server started on \(path)")
        } catch let error as WebSocketError {
            guard case .transport(let transport) = error.kind else { return #expect(Bool(false), "\(error)") }
            #expect(transport.kind == .addressInUse)
        }
        var configuration = WebSocket.Configuration()
        configuration.unixSocketPath = path
        let ws = try await WebSocket.connect(to: "ws://localhost/", configuration: configuration)
        _ = try await ws.close()
        await server.shutdown()
        Self.removeLock(path)
    }
}
