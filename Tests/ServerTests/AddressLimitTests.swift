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

    /// The status lines of upgrade requests behind a balancer, one per PROXY header line in
    /// `headers` (each connection kept open until all are answered), with one connection per
    /// client address allowed.
    static func statusLines(behindBalancer headers: [String]) async throws -> [String] {
        let server = try ClientServerTests.echoServer {
            $0.proxyProtocol = true
            $0.maxConnectionsPerAddress = 1
        }
        let answers = try headers.map { header in
            try Self.statusLine(port: server.port, sending: Array("\(header)\r\n".utf8) + Harness.request())
        }
        for answer in answers { RawClient.close(answer.fd) }
        await server.shutdown()
        return answers.map(\.line)
    }

    static let switching = "HTTP/1.1 101 Switching Protocols"
    static let unavailable = "HTTP/1.1 503 Service Unavailable"

    /// Behind a balancer the limit is the PROXY header's client's: two clients behind the same
    /// balancer address are counted apart.
    @Test func theProxyHeadersClientIsCounted() async throws {
        let lines = try await Self.statusLines(behindBalancer: [
            "PROXY TCP4 203.0.113.7 127.0.0.1 4242 80", "PROXY TCP4 203.0.113.7 127.0.0.1 4243 80",
            "PROXY TCP4 198.51.100.9 127.0.0.1 4244 80",
        ])
        #expect(lines == [Self.switching, Self.unavailable, Self.switching])
    }

    /// An IPv4 client is one address whether the header names it as IPv4 or as IPv4-mapped
    /// IPv6 (as a dual-stack balancer may).
    @Test func anIPv4MappedClientIsTheIPv4Client() async throws {
        let lines = try await Self.statusLines(behindBalancer: [
            "PROXY TCP4 203.0.113.7 127.0.0.1 4242 80", "PROXY TCP6 ::ffff:203.0.113.7 ::1 4243 80",
        ])
        #expect(lines == [Self.switching, Self.unavailable])
    }

    /// Headers that name no client (`UNKNOWN` here, like `LOCAL` health checks) are not
    /// counted: under the balancer's address (127.0.0.1, also the last client's) they would
    /// all be one client.
    @Test func headersWithoutAClientAreNotCounted() async throws {
        let lines = try await Self.statusLines(behindBalancer: [
            "PROXY UNKNOWN", "PROXY UNKNOWN", "PROXY UNKNOWN", "PROXY TCP4 127.0.0.1 127.0.0.1 4242 80",
        ])
        #expect(lines == Array(repeating: Self.switching, count: 4))
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
