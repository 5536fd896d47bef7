import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.utf8Masking, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzUTF8Masking Tools/Fuzz/Regressions/utf8-masking`, or writes the
/// seed corpus: `FuzzUTF8Masking --write-seeds Tools/Fuzz/Corpus/utf8-masking`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.utf8Masking) }
}
#endif
