import Foundation
import Testing
import WebSocketServer
import WebSocketTestSupport

/// python-websockets (a client we did not write) against our server.
@Suite("Server interop with python-websockets", .timeLimit(.minutes(1)))
struct PythonClientTests {
    /// Runs `client.py` (see `PeerProcess.run` on why a thread of its own).
    static func runPythonClient(_ url: String, _ extra: [String] = []) async throws -> (status: Int32, output: String) {
        try await PeerProcess.run("python3", [PeerProcess.fixture("client.py"), url] + extra)
    }

    @Test func pythonClientEchoesThroughOurServer() async throws {
        let server = try ClientServerTests.echoServer()
        let url = "ws://127.0.0.1:\(server.port)/"
        let result = try await Self.runPythonClient(url)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        await server.shutdown()
    }

    @Test func pythonClientWithDeflateEchoesThroughOurServer() async throws {
        let server = try ClientServerTests.echoServer()
        let url = "ws://127.0.0.1:\(server.port)/"
        let result = try await Self.runPythonClient(url, ["compression"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        await server.shutdown()
    }

    @Test func pythonClientEchoesThroughOurServerOverTLS() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        let url = "wss://127.0.0.1:\(server.port)/"
        let result = try await Self.runPythonClient(url, ["--ca", TLSCertificates.path("ca.pem")])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("TLS TLSv1.3"), "\(result.output)")
        #expect(result.output.contains("OK"))
        await server.shutdown()
    }

    @Test func pythonClientRefusesOurServerWithAnUntrustedCertificate() async throws {
        let server = try ClientServerTests.echoServer { $0.tls = try? TLSCertificates.server() }
        let url = "wss://127.0.0.1:\(server.port)/"
        let result = try await Self.runPythonClient(url, ["--ca", TLSCertificates.path("other-ca.pem")])
        #expect(result.status == 1)
        #expect(result.output.contains("CERTIFICATE_VERIFY_FAILED"), "\(result.output)")
        await server.shutdown()
    }
}
