import Foundation

struct SoakSettings {
    var connections: Int
    var seconds: Int
    var intervalMilliseconds: Int
}

/// The parent side of a soak: starts the server child, drives the clients, checks the figures.
struct SoakRun {
    let settings: SoakSettings

    init(_ settings: SoakSettings) { self.settings = settings }

    func run() async throws -> Bool {
        let server = try startServer()
        defer { server.stop() }
        let pid = server.pid
        let url = "ws://127.0.0.1:\(server.port)/soak"
        print("soak: \(settings.connections) connections x \(settings.seconds) s against \(url) (server pid \(pid))")

        // One short connection first, so that the server's lazily started threads exist before
        // the starting counts are taken.
        _ = await SoakClient(id: -1, url: url, interval: .milliseconds(10), deadline: .now + .milliseconds(200)).run()
        try await Task.sleep(for: .seconds(1))
        let serverStart = ProcessStats(pid: pid)
        let clientStart = ProcessStats(pid: "self")
        let heapStart = server.heapInUse()
        print("soak: start: server \(serverStart), heap \(mebibytes(heapStart)); client \(clientStart)")

        let started = ContinuousClock.now
        let deadline = started + .seconds(settings.seconds)
        // Warm-up: a third of the run (at most 2 minutes), so that every client has reconnected
        // at least once (they stay 20-60 s) and each connection's buffers have grown to the
        // message sizes they see; after it, RSS should stay flat.
        let warmUp = Duration.seconds(min(120, max(5, settings.seconds / 3)))
        let sampler = Task { () -> (warm: ProcessStats?, peak: Int, end: ProcessStats?, heapWarm: Int, heapEnd: Int) in
            var warm: ProcessStats?
            var heapWarm = -1
            var peak = 0
            var nextReport = started + .seconds(30)
            while ContinuousClock.now < deadline - .seconds(1) {
                try? await Task.sleep(for: .milliseconds(500))
                let now = ProcessStats(pid: pid)
                peak = max(peak, now.residentBytes)
                if warm == nil, ContinuousClock.now >= started + warmUp {
                    warm = now
                    heapWarm = server.heapInUse()
                    print("soak: after \(warmUp) warm-up: server \(now), heap \(mebibytes(heapWarm))")
                }
                if ContinuousClock.now >= nextReport {
                    print("soak: t+\(Int((ContinuousClock.now - started).components.seconds)) s: server \(now), "
                        + "heap \(mebibytes(server.heapInUse()))")
                    nextReport = nextReport + .seconds(30)
                }
            }
            return (warm, peak, ProcessStats(pid: pid), heapWarm, server.heapInUse())
        }

        let interval = Duration.milliseconds(settings.intervalMilliseconds)
        let tally = await withTaskGroup(of: SoakTally.self) { group in
            for id in 0..<settings.connections {
                group.addTask {
                    // Spread the connects over the first second.
                    try? await Task.sleep(for: .milliseconds(id * 1000 / max(1, settings.connections)))
                    return await SoakClient(id: id, url: url, interval: interval, deadline: deadline).run()
                }
            }
            var total = SoakTally()
            for await part in group { total.add(part) }
            return total
        }
        let samples = await sampler.value
        let serverEnd = try await settle(pid: pid, toward: serverStart)
        let clientEnd = ProcessStats(pid: "self")
        let heapClosed = server.heapInUse()
        print("soak: server heap in use: start \(mebibytes(heapStart)), after warm-up \(mebibytes(samples.heapWarm)), "
            + "end \(mebibytes(samples.heapEnd)), after all closed \(mebibytes(heapClosed))")
        return report(tally, start: serverStart, samples: (samples.warm, samples.peak, samples.end), end: serverEnd,
                      clientStart: clientStart, clientEnd: clientEnd, heap: (heapStart, heapClosed),
                      elapsed: ContinuousClock.now - started)
    }

    /// Waits (up to 15 s) for the server's descriptors and threads to come back down.
    func settle(pid: String, toward start: ProcessStats) async throws -> ProcessStats {
        let deadline = ContinuousClock.now + .seconds(15)
        var stats = ProcessStats(pid: pid)
        while ContinuousClock.now < deadline, stats.descriptors > start.descriptors || stats.threads > start.threads {
            try await Task.sleep(for: .milliseconds(200))
            stats = ProcessStats(pid: pid)
        }
        return stats
    }

    func report(_ tally: SoakTally, start: ProcessStats, samples: (warm: ProcessStats?, peak: Int, end: ProcessStats?),
                end: ProcessStats, clientStart: ProcessStats, clientEnd: ProcessStats, heap: (start: Int, closed: Int),
                elapsed: Duration) -> Bool {
        var passed = true
        func check(_ condition: Bool, _ message: String) {
            print("soak: \(condition ? "ok  " : "FAIL") \(message)")
            passed = passed && condition
        }
        let seconds = Double(elapsed.components.seconds)
        print("soak: \(tally.messages) messages echoed (\(mebibytes(tally.bytes))), \(Int(Double(tally.messages) / max(1, seconds))) msg/s, "
            + "\(tally.reconnects) reconnects, \(tally.failures.count) failures in \(Int(seconds)) s")
        for failure in tally.failures.prefix(10) { print("soak:   \(failure)") }
        check(tally.failures.isEmpty, "no unexpected close or wrong echo (\(tally.failures.count))")
        check(tally.messages > 0, "messages were echoed (\(tally.messages))")
        check(end.descriptors == start.descriptors, "server file descriptors back to \(start.descriptors) (now \(end.descriptors))")
        check(end.threads == start.threads, "server threads back to \(start.threads) (now \(end.threads))")
        // Every connection's memory is freed once it closed (LeakSanitizer cannot see memory that
        // stays reachable, e.g. in a registry or a timer).
        let connections = settings.connections + tally.reconnects
        check(heap.closed - heap.start <= 1 << 20, "server heap after all \(connections) connections closed within 1 MiB "
            + "of its start (\(mebibytes(heap.closed)) vs \(mebibytes(heap.start)))")
        check(clientEnd.descriptors == clientStart.descriptors,
              "client file descriptors back to \(clientStart.descriptors) (now \(clientEnd.descriptors))")
        if let warm = samples.warm, let last = samples.end {
            let growth = Double(last.residentBytes - warm.residentBytes) / Double(warm.residentBytes) * 100
            check(growth <= 5, "server RSS at the end \(mebibytes(last.residentBytes)) within 5% of \(mebibytes(warm.residentBytes)) "
                + "after warm-up (\(String(format: "%+.1f", growth))%; peak \(mebibytes(samples.peak)); "
                + "after all closed \(mebibytes(end.residentBytes)))")
        } else {
            check(false, "the run was too short to measure RSS after warm-up")
        }
        print("soak: \(passed ? "PASSED" : "FAILED")")
        return passed
    }

    /// Starts `SoakTest --serve` and reads its port.
    func startServer() throws -> ServerChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.fileExists(atPath: process.executableURL!.path) {
            process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        }
        process.arguments = ["--serve"]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        let child = ServerChild(process: process, input: input, output: output)
        let text = try child.readLine()
        guard text.hasPrefix("port="), let port = Int(text.dropFirst("port=".count)) else {
            throw SoakFailure("unexpected server output: \(text)")
        }
        child.port = port
        return child
    }
}

/// The server process and its pipes.
final class ServerChild: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let output: Pipe
    var port = 0
    private var buffered = Data()

    init(process: Process, input: Pipe, output: Pipe) {
        self.process = process
        self.input = input
        self.output = output
    }

    var pid: String { String(process.processIdentifier) }

    /// The next line the server printed.
    func readLine() throws -> String {
        while !buffered.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw SoakFailure("the server exited") }
            buffered.append(chunk)
        }
        let end = buffered.firstIndex(of: UInt8(ascii: "\n"))!
        let line = String(decoding: buffered[buffered.startIndex..<end], as: UTF8.self)
        buffered = Data(buffered[(end + 1)...])
        return line
    }

    /// The server's heap in use (glibc `mallinfo2`), in bytes; -1 if it did not answer.
    func heapInUse() -> Int {
        input.fileHandleForWriting.write(Data("stats\n".utf8))
        guard let line = try? readLine(), line.hasPrefix("heap=") else { return -1 }
        return Int(line.dropFirst("heap=".count)) ?? -1
    }

    /// Closes the server's input (it exits) and waits for it.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
