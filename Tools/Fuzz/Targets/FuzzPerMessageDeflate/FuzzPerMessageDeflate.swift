import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.perMessageDeflateTarget, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzPerMessageDeflate Tools/Fuzz/Regressions/permessage-deflate`, or writes the
/// seed corpus: `FuzzPerMessageDeflate --write-seeds Tools/Fuzz/Corpus/permessage-deflate`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.perMessageDeflateTarget) }
}
#endif
