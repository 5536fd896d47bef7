/// One fuzz target: a name (its directory under `Tools/Fuzz/Corpus` and `Tools/Fuzz/Regressions`),
/// the function that runs one input and checks every invariant, and its seed inputs.
public struct FuzzTarget: Sendable {
    /// The directory name, e.g. `frame-decoder`.
    public let name: String
    /// Runs one input; throws when an invariant breaks. A trap inside the library crashes.
    public let run: @Sendable ([UInt8]) throws(FuzzFailure) -> Void
    /// Seed inputs, named, for `Tools/Fuzz/Corpus/<name>/` (regenerate with the replay tool's
    /// `--write-seeds`).
    public let seeds: @Sendable () -> [(name: String, bytes: [UInt8])]

    /// Every target this build has (permessage-deflate only once the plugin is in the package).
    public static var all: [FuzzTarget] {
        var targets = [frameDecoder, utf8Masking, serverConnection, clientConnection, httpHead, extensionHeader, proxyHeader, proxyAnswers]
        if let deflate = perMessageDeflate { targets.append(deflate) }
        return targets
    }

    /// The target called `name`, if this build has it.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
