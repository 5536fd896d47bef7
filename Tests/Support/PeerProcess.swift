import Foundation

/// A third-party peer in a process of its own (python-websockets, node's `ws`), started from a
/// script under `Tests/Fixtures`.
///
/// A server peer prints `READY <port> …` once it listens and serves until our end of its stdin
/// closes, so the test process owns its lifetime. A client peer runs to completion and reports
/// through its exit status and output.
public final class PeerProcess: @unchecked Sendable {
    /// The ports of the `READY` line, in its order.
    public let ports: [Int]
    private let process: Process
    private let stdin = Pipe()

    /// Starts `command` (looked up on `PATH`) with `arguments` and waits for its `READY` line.
    /// - Parameters:
    ///   - ports: how many ports the line must carry.
    ///   - missing: what to tell the reader when the peer exits first (how to install it).
    public init(_ command: String, _ arguments: [String], ports: Int, missing: String) throws {
        let stdout = Pipe()
        process = Self.process(command, arguments)
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerError("\(command) \(arguments.first ?? "") exited: \(missing)") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        let words = text.split(whereSeparator: \.isWhitespace)
        let numbers = words.dropFirst().compactMap { Int($0) }
        guard words.first == "READY", words.count == ports + 1, numbers.count == ports else {
            throw PeerError("unexpected peer output: \(text)")
        }
        self.ports = numbers
    }

    /// `Tests/Fixtures/<name>`.
    public static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
    }

    /// Runs `command` with `arguments` to completion on a thread of its own (blocking a thread
    /// of the cooperative pool, two on a two-core machine, while our side of the test needs it
    /// would deadlock tests that run in parallel). Standard error is part of `output`.
    public static func run(_ command: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(command, arguments) })
            }
        }
    }

    private static func runBlocking(_ command: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Self.process(command, arguments)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A process that runs `command`, looked up on `PATH`, with `arguments`.
    private static func process(_ command: String, _ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        return process
    }
}

/// A peer that could not be started or said something unexpected.
public struct PeerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
