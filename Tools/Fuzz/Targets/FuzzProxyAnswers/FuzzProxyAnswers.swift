import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.proxyAnswers, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzProxyAnswers Tools/Fuzz/Regressions/proxy-answers`, or writes the
/// seed corpus: `FuzzProxyAnswers --write-seeds Tools/Fuzz/Corpus/proxy-answers`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.proxyAnswers) }
}
#endif
