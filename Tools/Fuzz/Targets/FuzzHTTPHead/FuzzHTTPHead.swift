import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.httpHead, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzHTTPHead Tools/Fuzz/Regressions/http-head`, or writes the
/// seed corpus: `FuzzHTTPHead --write-seeds Tools/Fuzz/Corpus/http-head`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.httpHead) }
}
#endif
