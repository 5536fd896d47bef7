import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.clientConnection, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzClientConnection Tools/Fuzz/Regressions/client-connection`, or writes the
/// seed corpus: `FuzzClientConnection --write-seeds Tools/Fuzz/Corpus/client-connection`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.clientConnection) }
}
#endif
