import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// With `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose
    /// `waitUntilExit` on Linux learns of the exit from a socket inherited by the child: a peer
    /// server started meanwhile by a parallel test inherited that socket too, so the exit was
    /// never seen (swift-corelibs-foundation issue 4795) and an ASan run hung with the node
    /// client a zombie. The output channel is close-on-exec, so no other child holds it open.
    private static func runBlocking(_ command: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        var ends: [Int32] = [0, 0]
        // A socket pair rather than a pipe: created close-on-exec in one call (pipe2 is not
        // imported), so a child spawned meanwhile by another thread cannot inherit it.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw PeerError("socketpair failed: errno \(errno)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = (["/usr/bin/env", command] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        close(ends[1])
        defer { close(ends[0]) }
        guard spawned == 0 else { throw PeerError("posix_spawn of \(command) failed: \(spawned)") }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if count > 0 { output += buffer[0..<count]; continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw PeerError("waitpid failed: errno \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import: a signal's end reads as 128 + it.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitStatus, String(decoding: output, as: UTF8.self))
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
