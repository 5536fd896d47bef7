/// A broken invariant: the library did something other than "a message, or one of the
/// documented errors or close codes". The fuzzer entry turns it into a crash (so libFuzzer keeps
/// the input); the regression tests report it as a test failure.
public struct FuzzFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Throws ``FuzzFailure`` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(message()) }
}
