import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.serverConnection, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzServerConnection Tools/Fuzz/Regressions/server-connection`, or writes the
/// seed corpus: `FuzzServerConnection --write-seeds Tools/Fuzz/Corpus/server-connection`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.serverConnection) }
}
#endif
