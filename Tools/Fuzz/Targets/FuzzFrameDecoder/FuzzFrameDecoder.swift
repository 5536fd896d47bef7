import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.frameDecoder, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzFrameDecoder Tools/Fuzz/Regressions/frame-decoder`, or writes the
/// seed corpus: `FuzzFrameDecoder --write-seeds Tools/Fuzz/Corpus/frame-decoder`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.frameDecoder) }
}
#endif
