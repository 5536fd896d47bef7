import Foundation

/// A process's resources as /proc shows them.
struct ProcessStats: CustomStringConvertible {
    var descriptors: Int
    var threads: Int
    var residentBytes: Int

    /// Reads /proc/<pid> (`self` for this process).
    init(pid: String) {
        let fileManager = FileManager.default
        descriptors = (try? fileManager.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        threads = (try? fileManager.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = line.split { $0 == " " || $0 == "\t" }.dropFirst().first.flatMap { Int($0) } ?? -1
        residentBytes = kilobytes * 1024
    }

    var description: String {
        "fds \(descriptors), threads \(threads), RSS \(mebibytes(residentBytes))"
    }
}

func mebibytes(_ bytes: Int) -> String {
    String(format: "%.1f MiB", Double(bytes) / 1_048_576)
}
