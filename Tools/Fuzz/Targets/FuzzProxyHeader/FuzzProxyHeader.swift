import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.proxyHeader, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzProxyHeader Tools/Fuzz/Regressions/proxy-header`, or writes the
/// seed corpus: `FuzzProxyHeader --write-seeds Tools/Fuzz/Corpus/proxy-header`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.proxyHeader) }
}
#endif
