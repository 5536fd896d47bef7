import Testing
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// `WebSocketServer.Configuration.proxyProtocol`: behind a TCP load balancer, the client's
/// address comes from the PROXY protocol header, read before anything else (TLS included).
@Suite("Server: PROXY protocol", .timeLimit(.minutes(2)))
struct ProxyProtocolTests {
    /// A server that records each upgrade request's remote address and refuses it with 403
    /// (so that a raw exchange ends at once), or accepts and echoes with `accepts`.
    static func server(
        accepts: Bool = false, seen: Locked<[String]>,
        _ configure: (inout WebSocketServer.Configuration) -> Void = { _ in }
    ) throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        configuration.proxyProtocol = true
        configuration.connection.openTimeout = .seconds(60)  // see PlainHTTPTests.server
        configure(&configuration)
        return try WebSocketServer.start(configuration: configuration, shouldUpgrade: { upgrade in
            seen.withLock { $0.append(upgrade.remoteAddress ?? "none") }
            return accepts ? .accept() : .reject(status: 403)
        }) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
        }
    }

    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    @Test func aVersion1HeaderNamesTheClient() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(seen: seen)
        let header = Array("PROXY TCP4 203.0.113.7 127.0.0.1 4242 \(server.port)\r\n".utf8)
        let reply = try await RawClient.exchange(port: server.port, bytes: header + Harness.request(), waitForClose: true)
        #expect(String(decoding: reply, as: UTF8.self).hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(seen.withLock { $0 } == ["203.0.113.7:4242"])
        await server.shutdown()
    }

    /// A version 2 header split across two writes (the reader waits for the rest, consuming
    /// no byte of the request), over IPv6 addresses.
    @Test func aVersion2HeaderInPieces() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(seen: seen)
        let source: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        let header = Self.signature + [0x21, 0x21, 0, 36] + source + source + [0x15, 0xB3, 0x01, 0xBB]
        let reply = try await RawClient.exchange(
            port: server.port, bytes: Array(header[..<20]), later: Array(header[20...]) + Harness.request(),
            delay: .milliseconds(50), waitForClose: true)
        #expect(String(decoding: reply, as: UTF8.self).hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(seen.withLock { $0 } == ["[2001:db8::1]:5555"])
        await server.shutdown()
    }

    /// An AWS Network Load Balancer's header for a PrivateLink connection: the upgrade hook
    /// sees the VPC endpoint ID and the TLS server name among the header's TLVs.
    @Test func version2TLVsReachTheUpgradeHook() async throws {
        let headers = Locked<[ProxyHeader?]>([])
        var configuration = WebSocketServer.Configuration()
        configuration.proxyProtocol = true
        configuration.connection.openTimeout = .seconds(60)
        let server = try WebSocketServer.start(configuration: configuration, shouldUpgrade: { upgrade in
            headers.withLock { $0.append(upgrade.proxyHeader) }
            return .reject(status: 403)
        }) { _ in }
        let tlvs: [UInt8] = [0xEA, 0x00, 0x17, 0x01] + Array("vpce-08d2bf15fac5001c9".utf8)
            + [0x02, 0x00, 0x0C] + Array("chat.example".utf8)
        let payload: [UInt8] = [203, 0, 113, 7, 127, 0, 0, 1, 0x10, 0x92, 0x01, 0xBB] + tlvs
        let header = Self.signature + [0x21, 0x11, 0, UInt8(payload.count)] + payload
        let reply = try await RawClient.exchange(port: server.port, bytes: header + Harness.request(), waitForClose: true)
        #expect(String(decoding: reply, as: UTF8.self).hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        let seen = try #require(headers.withLock { $0.first } ?? nil)
        #expect(seen.awsVPCEndpointID == "vpce-08d2bf15fac5001c9")
        #expect(seen.authority == "chat.example")
        #expect(seen.source?.description == "203.0.113.7:4242")
        await server.shutdown()
    }

    /// The balancer's own health check (v2 LOCAL): the connection's own peer stands.
    @Test func aLocalHeaderKeepsTheRealPeer() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(seen: seen)
        let header = Self.signature + [0x20, 0x00, 0, 0]
        _ = try await RawClient.exchange(port: server.port, bytes: header + Harness.request(), waitForClose: true)
        #expect(seen.withLock { $0.first?.hasPrefix("127.0.0.1:") } == true)
        await server.shutdown()
    }

    /// Without a header the connection is dropped unanswered: no guessing (the specification's
    /// rule), so a client reaching the port directly cannot pass for anyone.
    @Test(arguments: ["GET / HTTP/1.1\r\nHost: a\r\n\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "PROXY TCP9 x\r\n"])
    func aConnectionWithoutAValidHeaderIsDropped(start: String) async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(seen: seen)
        let reply = try await RawClient.exchange(port: server.port, request: start, waitForClose: true)
        #expect(reply.isEmpty)
        #expect(seen.withLock { $0.isEmpty })
        await server.shutdown()
    }

    /// A connection that never finishes its header is dropped at the open timeout.
    @Test func anUnfinishedHeaderIsDroppedAtTheOpenTimeout() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(seen: seen) { $0.connection.openTimeout = .milliseconds(300) }
        let reply = try await RawClient.exchange(port: server.port, request: "PROXY TCP4 1.2.3.4", waitForClose: true)
        #expect(reply.isEmpty)
        await server.shutdown()
    }

    /// At most `maxConnections` connections wait for their header at once.
    @Test func pendingHeadersAreBounded() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(seen: seen) { $0.maxConnections = 1 }
        // The first connection, connected first (the listener accepts in order), holds the only
        // place while its header is unfinished …
        let first = try RawClient.open(port: server.port, sending: Array("PROXY TCP4 1.2.3.4".utf8))
        defer { RawClient.close(first) }
        // … so the second is dropped at once, whatever it sends.
        let header = Array("PROXY TCP4 203.0.113.7 127.0.0.1 4242 \(server.port)\r\n".utf8)
        let second = try await RawClient.exchange(port: server.port, bytes: header + Harness.request(), waitForClose: true)
        #expect(second.isEmpty)
        #expect(seen.withLock { $0.isEmpty })
        await server.shutdown()
    }

    /// python-websockets through a "balancer" that writes a v1 header before the TLS
    /// handshake: the handshake and the echoes work, and the header's client is seen.
    @Test func pythonClientOverTLSBehindAHeader() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.server(accepts: true, seen: seen) { $0.tls = try? TLSCertificates.server() }
        let header = Array("PROXY TCP4 198.51.100.9 127.0.0.1 60000 \(server.port)\r\n".utf8)
        let hex = header.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
        let result = try await PythonClientTests.runPythonClient(
            "wss://localhost:\(server.port)/", ["--ca", TLSCertificates.path("ca.pem"), "--proxy-header", hex])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        #expect(seen.withLock { $0 } == ["198.51.100.9:60000"])
        await server.shutdown()
    }
}
