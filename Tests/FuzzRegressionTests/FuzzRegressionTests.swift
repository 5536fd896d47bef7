import Foundation
import Testing
import WebSocketFuzzHarness

/// Every committed fuzz input (seed corpora and the inputs of past crashes) replayed through the
/// same harness functions the fuzzers run (DESIGN.md §8: "frames or a documented error, never a
/// trap"). A crash found by `make fuzz` is fixed, then its input is kept here as a regression.
@Suite("Fuzz corpora and regressions")
struct FuzzRegressionTests {
    /// `Tools/Fuzz` in this checkout.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/Fuzz").path

    @Test("every corpus and regression input keeps every invariant", arguments: FuzzTarget.all.map(\.name))
    func replay(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        var count = 0
        for kind in ["Corpus", "Regressions"] {
            for path in FuzzEntry.files(at: "\(Self.fuzzDirectory)/\(kind)/\(name)") {
                let bytes = try #require(FileManager.default.contents(atPath: path), "\(path)")
                count += 1
                do {
                    try target.run(Array(bytes))
                } catch {
                    Issue.record("\(path): \(error)")
                }
            }
        }
        #expect(count >= target.seeds().count, "the seed corpus of \(name) is not committed")
        print("fuzz replay: \(name): \(count) inputs")
    }

    @Test("the committed seed corpus is what the seed generators make", arguments: FuzzTarget.all.map(\.name))
    func seedsAreCommitted(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for seed in target.seeds() {
            let path = "\(Self.fuzzDirectory)/Corpus/\(name)/\(seed.name)"
            let committed = FileManager.default.contents(atPath: path).map { Array($0) }
            #expect(committed == seed.bytes, "\(path) differs from its generator: run Fuzz<Target> --write-seeds")
        }
    }
}
