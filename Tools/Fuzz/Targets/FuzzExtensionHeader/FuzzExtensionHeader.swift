import WebSocketFuzzHarness

#if FUZZING
/// libFuzzer's entry point: built with `--sanitize=fuzzer -Xswiftc -DFUZZING` by `make fuzz`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.extensionHeader, data, size)
}
#else
/// An ordinary build replays inputs: `FuzzExtensionHeader Tools/Fuzz/Regressions/extension-header`, or writes the
/// seed corpus: `FuzzExtensionHeader --write-seeds Tools/Fuzz/Corpus/extension-header`.
@main
enum Replay {
    static func main() { FuzzEntry.replayMain(.extensionHeader) }
}
#endif
