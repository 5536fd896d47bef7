import Foundation
import Testing
import WebSocketServer

/// python-websockets (a client we did not write) against our server.
@Suite("Server interop with python-websockets", .timeLimit(.minutes(1)))
struct PythonClientTests {
    /// Runs `client.py` on a thread of its own: blocking a thread of the cooperative pool (two on a
    /// two-core machine) while our server needs it would deadlock tests that run in parallel.
    static func runPythonClient(_ url: String, _ extra: [String] = []) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runPythonClientBlocking(url, extra) })
            }
        }
    }

    private static func runPythonClientBlocking(_ url: String, _ extra: [String]) throws -> (status: Int32, output: String) {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/client.py")
        let process = Process()
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, url] + extra
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
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
