import Foundation

/// The two ways a fuzz executable runs: as libFuzzer's `LLVMFuzzerTestOneInput` (built with
/// `--sanitize=fuzzer -Xswiftc -DFUZZING`), or, in an ordinary build, as a replay tool.
public enum FuzzEntry {
    /// libFuzzer's callback: runs one input; a broken invariant becomes a crash, so that libFuzzer
    /// saves the input as `crash-<sha1>`.
    public static func testOneInput(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            try target.run(bytes)
        } catch {
            fatalError("fuzz target \(target.name): \(error)")
        }
        return 0
    }

    /// The replay tool: `Fuzz<Target> [--write-seeds DIR] [FILE|DIR]...` runs every file given
    /// (directories: every file inside) through the target and exits non-zero on a broken
    /// invariant; `--write-seeds` writes the target's seed corpus into DIR.
    public static func replayMain(_ target: FuzzTarget) {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-seeds", arguments.count == 2 {
            writeSeeds(target, to: arguments[1])
            return
        }
        var failures = 0
        var count = 0
        for path in arguments.flatMap(files(at:)) {
            count += 1
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                failures += 1
                continue
            }
            do {
                try target.run(Array(data))
            } catch {
                print("\(path): \(error)")
                failures += 1
            }
        }
        print("\(target.name): \(count) inputs, \(failures) failures")
        exit(failures == 0 ? 0 : 1)
    }

    /// The files at `path`: itself, or the regular files in it (sorted).
    public static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }

    private static func writeSeeds(_ target: FuzzTarget, to directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for seed in target.seeds() {
            let path = directory + "/" + seed.name
            _ = FileManager.default.createFile(atPath: path, contents: Data(seed.bytes))
        }
        print("\(target.name): wrote \(target.seeds().count) seeds to \(directory)")
    }
}
