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
        let (child, port, input) = try startServer()
        defer {
            try? input.fileHandleForWriting.close()
            child.waitUntilExit()
        }
        let pid = String(child.processIdentifier)
        let url = "ws://127.0.0.1:\(port)/soak"
        print("soak: \(settings.connections) connections x \(settings.seconds) s against \(url) (server pid \(pid))")

        // One short connection first, so that the server's lazily started threads exist before
        // the starting counts are taken.
        _ = await SoakClient(id: -1, url: url, interval: .milliseconds(10), deadline: .now + .milliseconds(200)).run()
        try await Task.sleep(for: .seconds(1))
        let serverStart = ProcessStats(pid: pid)
        let clientStart = ProcessStats(pid: "self")
        print("soak: start: server \(serverStart); client \(clientStart)")

        let started = ContinuousClock.now
        let deadline = started + .seconds(settings.seconds)
        let warmUp = Duration.seconds(min(30, max(5, settings.seconds / 5)))
        let sampler = Task { () -> (warm: ProcessStats?, peak: Int, end: ProcessStats?) in
            var warm: ProcessStats?
            var peak = 0
            var nextReport = started + .seconds(30)
            while ContinuousClock.now < deadline - .seconds(1) {
                try? await Task.sleep(for: .milliseconds(500))
                let now = ProcessStats(pid: pid)
                peak = max(peak, now.residentBytes)
                if warm == nil, ContinuousClock.now >= started + warmUp {
                    warm = now
                    print("soak: after \(warmUp) warm-up: server \(now)")
                }
                if ContinuousClock.now >= nextReport {
                    print("soak: t+\(Int((ContinuousClock.now - started).components.seconds)) s: server \(now)")
                    nextReport = nextReport + .seconds(30)
                }
            }
            return (warm, peak, ProcessStats(pid: pid))
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
        return report(tally, start: serverStart, samples: samples, end: serverEnd, clientStart: clientStart, clientEnd: clientEnd,
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
                end: ProcessStats, clientStart: ProcessStats, clientEnd: ProcessStats, elapsed: Duration) -> Bool {
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
    func startServer() throws -> (Process, Int, Pipe) {
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
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw SoakFailure("the server exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = text.split(separator: "\n").first.flatMap({ Int($0.dropFirst("port=".count)) }) else {
            throw SoakFailure("unexpected server output: \(text)")
        }
        return (process, port, input)
    }
}
