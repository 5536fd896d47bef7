import Testing
import WebSocketServer
import WebSocketTestSupport

/// node's `ws` client (`Tests/Fixtures/node/peer.js client`) against our echo server: text,
/// binary, fragments, 200 kB, a ping and a clean close, checked byte for byte by node.
@Suite("Server interop with node's ws client", .timeLimit(.minutes(1)))
struct NodeClientTests {
    static func runNodeClient(_ url: String, _ extra: [String] = []) async throws -> (status: Int32, output: String) {
        try await PeerProcess.run("node", [PeerProcess.fixture("node/peer.js"), "client", url] + extra)
    }

    @Test func nodeClientEchoesThroughOurServer() async throws {
        let server = try ClientServerTests.echoServer()
        let result = try await Self.runNodeClient("ws://127.0.0.1:\(server.port)/")
        #expect(result.status == 0 && result.output.hasPrefix("OK \n"), "\(result.output)")
        await server.shutdown()
    }

    /// ws offers `permessage-deflate; client_max_window_bits`; our server's default answer
    /// (12-bit server window) must be one ws accepts and decodes.
    @Test func nodeClientWithDeflateEchoesThroughOurServer() async throws {
        let server = try ClientServerTests.echoServer()
        let result = try await Self.runNodeClient("ws://127.0.0.1:\(server.port)/", ["deflate"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("OK permessage-deflate"), "\(result.output)")
        await server.shutdown()
    }

    /// ws asks for no context takeover either way and windows of 10 (ours) and 9 bits (its own).
    @Test func nodeClientAskingForSmallWindowsWithoutTakeover() async throws {
        let server = try ClientServerTests.echoServer()
        let result = try await Self.runNodeClient("ws://127.0.0.1:\(server.port)/", ["deflate-small"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("OK permessage-deflate"), "\(result.output)")
        await server.shutdown()
    }

    @Test func nodeClientEchoesThroughOurServerOverTLS() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        let url = "wss://127.0.0.1:\(server.port)/"
        let result = try await Self.runNodeClient(url, ["--ca", TLSCertificates.path("ca.pem")])
        #expect(result.status == 0 && result.output.hasPrefix("OK \n"), "\(result.output)")
        await server.shutdown()
    }

    @Test func nodeClientRefusesOurServerWithAnUntrustedCertificate() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        let url = "wss://127.0.0.1:\(server.port)/"
        let result = try await Self.runNodeClient(url, ["--ca", TLSCertificates.path("other-ca.pem")])
        #expect(result.status == 1)
        #expect(result.output.contains("FAILED: unable to verify the first certificate")
                || result.output.contains("self-signed") || result.output.contains("unable to get local issuer"),
                "\(result.output)")
        await server.shutdown()
    }
}
