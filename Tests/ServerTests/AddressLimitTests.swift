import Foundation
import Testing
import WebSocketClient
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport

/// `maxConnectionsPerAddress`: one client address cannot take every connection slot.
@Suite("Server: connections per client address", .timeLimit(.minutes(1)))
struct AddressLimitTests {
    /// The status line a raw client gets for `bytes` (a request, maybe after a PROXY header);
    /// the connection is left open (closed by `close`).
    static func statusLine(port: Int, sending bytes: [UInt8]) throws -> (line: String, fd: Int32) {
        let fd = try RawClient.open(port: port, sending: bytes)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        let line = String(decoding: received.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        return (line, fd)
    }

    @Test func aClientOverItsAddressLimitGets503() async throws {
        let server = try ClientServerTests.echoServer { $0.maxConnectionsPerAddress = 2 }
        let url = "ws://127.0.0.1:\(server.port)/"
        let first = try await WebSocket.connect(to: url)
        let second = try await WebSocket.connect(to: url)
        do {
            _ = try await WebSocket.connect(to: url)
            Issue.record("a third connection from 127.0.0.1 was admitted")
        } catch let error as WebSocketError {
            #expect(error.response?.status == 503, "\(error)")
        }
        try await first.close()
        var waited = 0
        while server.connectionCount > 1 && waited < 1000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        try #require(server.connectionCount == 1, "the server still counts the closed connection")
        let third = try await WebSocket.connect(to: url)
        try await second.close()
        try await third.close()
        await server.shutdown()
    }

    /// Behind a balancer the limit is the PROXY header's client's: two clients behind the same
    /// balancer address are counted apart.
    @Test func theProxyHeadersClientIsCounted() async throws {
        let server = try ClientServerTests.echoServer {
            $0.proxyProtocol = true
            $0.maxConnectionsPerAddress = 1
        }
        func header(_ client: String) -> [UInt8] {
            Array("PROXY TCP4 \(client) 127.0.0.1 4242 \(server.port)\r\n".utf8) + Harness.request()
        }
        let first = try Self.statusLine(port: server.port, sending: header("203.0.113.7"))
        let second = try Self.statusLine(port: server.port, sending: header("203.0.113.7"))
        let other = try Self.statusLine(port: server.port, sending: header("198.51.100.9"))
        #expect(first.line == "HTTP/1.1 101 Switching Protocols")
        #expect(second.line.hasPrefix("HTTP/1.1 503"), "\(second.line)")
        #expect(other.line == "HTTP/1.1 101 Switching Protocols")
        for fd in [first.fd, second.fd, other.fd] { RawClient.close(fd) }
        await server.shutdown()
    }

    /// An IPv4 client is one address whether the header names it as IPv4 or as IPv4-mapped
    /// IPv6 (as a dual-stack balancer may).
    @Test func anIPv4MappedClientIsTheIPv4Client() async throws {
        let server = try ClientServerTests.echoServer {
            $0.proxyProtocol = true
            $0.maxConnectionsPerAddress = 1
        }
        let v4 = Array("PROXY TCP4 203.0.113.7 127.0.0.1 4242 \(server.port)\r\n".utf8) + Harness.request()
        let mapped = Array("PROXY TCP6 ::ffff:203.0.113.7 ::1 4243 \(server.port)\r\n".utf8) + Harness.request()
        let first = try Self.statusLine(port: server.port, sending: v4)
        let second = try Self.statusLine(port: server.port, sending: mapped)
        #expect(first.line == "HTTP/1.1 101 Switching Protocols")
        #expect(second.line.hasPrefix("HTTP/1.1 503"), "\(second.line)")
        for fd in [first.fd, second.fd] { RawClient.close(fd) }
        await server.shutdown()
    }

    /// Headers that name no client (`UNKNOWN` here, like `LOCAL` health checks) are not
    /// counted: under the balancer's address they would all be one client.
    @Test func headersWithoutAClientAreNotCounted() async throws {
        let server = try ClientServerTests.echoServer {
            $0.proxyProtocol = true
            $0.maxConnectionsPerAddress = 1
        }
        let unknown = Array("PROXY UNKNOWN\r\n".utf8) + Harness.request()
        let answers = try (0..<3).map { _ in try Self.statusLine(port: server.port, sending: unknown) }
        for answer in answers { #expect(answer.line == "HTTP/1.1 101 Switching Protocols") }
        let named = try Self.statusLine(
            port: server.port, sending: Array("PROXY TCP4 127.0.0.1 127.0.0.1 4242 \(server.port)\r\n".utf8) + Harness.request())
        #expect(named.line == "HTTP/1.1 101 Switching Protocols", "the balancer's own address was used up")
        for fd in answers.map(\.fd) + [named.fd] { RawClient.close(fd) }
        await server.shutdown()
    }

    @Test(arguments: [(0, nil), (10, 0), (10, -1)] as [(Int, Int?)])
    func aLimitUnderOneIsRefusedAtStart(total: Int, perAddress: Int?) {
        var configuration = WebSocketServer.Configuration()
        configuration.maxConnections = total
        configuration.maxConnectionsPerAddress = perAddress
        #expect(throws: WebSocketError.self) {
            try WebSocketServer.start(configuration: configuration) { _ in }
        }
    }
}
