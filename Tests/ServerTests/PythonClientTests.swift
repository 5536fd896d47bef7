import Foundation
import Testing
import WebSocketServer

/// python-websockets (a client we did not write) against our server.
@Suite("Server interop with python-websockets", .timeLimit(.minutes(1)))
struct PythonClientTests {
    static func runPythonClient(_ url: String, _ extra: [String] = []) throws -> (status: Int32, output: String) {
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
        let result = try await Task.detached { try Self.runPythonClient(url) }.value
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        await server.shutdown()
    }

    @Test func pythonClientWithDeflateEchoesThroughOurServer() async throws {
        let server = try ClientServerTests.echoServer()
        let url = "ws://127.0.0.1:\(server.port)/"
        let result = try await Task.detached { try Self.runPythonClient(url, ["compression"]) }.value
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"))
        await server.shutdown()
    }
}
