#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Foundation
import Testing
import WebSocketAttackSupport
import WebSocketTestSupport

/// Attacks on our server and client (SECURITY.md), each asserting and printing its figure
/// (`attack: ...`). One suite, serialized, so that timings and the child probes do not compete
/// with each other; memory figures come from a child process (``Probe``) so that the tests
/// running beside this suite do not count.
@Suite("Attacks", .serialized, .timeLimit(.minutes(3)))
struct Attacks {}

/// Runs `AttackProbe` (Tools/Attack/Probe) as a child process and returns its `key=value` figures.
enum Probe {
    /// Runs the probe on a thread of its own (it blocks until the child exits).
    static func run(_ arguments: String...) async throws -> [String: String] {
        try await onThread { try runBlocking(arguments) }
    }

    private static func runBlocking(_ arguments: [String]) throws -> [String: String] {
        let directory = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = directory.appendingPathComponent("AttackProbe")
        process.arguments = arguments
        process.environment = ["SWIFT_BACKTRACE": "enable=no"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw AttackError("AttackProbe \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)")
        }
        var figures: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            figures[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return figures
    }
}

extension Dictionary where Key == String, Value == String {
    /// A figure as an integer (fails the test when missing).
    func int(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        try #require(self[key].flatMap { Int($0) }, "figure \(key) in \(self)", sourceLocation: sourceLocation)
    }
}

/// A value handed over from the server's handler to the test.
final class Handoff<Value: Sendable>: Sendable {
    private let state = Locked<Value?>(nil)

    func put(_ value: Value) { state.withLock { $0 = $0 ?? value } }

    /// Waits (polling) up to `timeout` for the value.
    func take(timeout: Duration = .seconds(30)) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = state.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw AttackError("timed out waiting for the server")
    }
}
#endif
