import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport

#if canImport(PerMessageDeflate)
import PerMessageDeflate

extension FuzzTarget {
    /// permessage-deflate's inflate path (RFC 7692) through the Core, for either role: the
    /// handshake negotiates it (with the offer or response the input picks), then compressed
    /// frames arrive in random chunks under small limits. Same invariants as the connection
    /// targets; in particular a message never exceeds the limit after inflation (1009 instead).
    ///
    /// Input: role, offer (2 bytes), then a connection scenario (see ``ConnectionScenario``).
    public static var perMessageDeflate: FuzzTarget? { perMessageDeflateTarget }

    public static let perMessageDeflateTarget = FuzzTarget(name: "permessage-deflate", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let role: Role = input.byte() & 1 == 0 ? .server : .client
        let offer = input.pick(role == .server ? DeflateSeeds.offers : DeflateSeeds.responses)
        var scenario = ConnectionScenario(role: role, extraFactories: [PerMessageDeflate()], &input)
        scenario.prependsHandshake = true
        var run = try ConnectionRun(scenario, offering: (scenario.offersToyExtension ? ["x-toy"] : []) + [offer])
        try run.run()
    }, seeds: DeflateSeeds.seeds)

    /// The factories the negotiation fuzzing runs over.
    static var negotiationFactories: [any ExtensionFactory] { [ToyExtensionFactory(), PerMessageDeflate()] }
}
#else
extension FuzzTarget {
    /// permessage-deflate's inflate path: enabled once the `PerMessageDeflate` plugin is part of
    /// the package (Package.swift then adds it as a dependency of this harness).
    public static var perMessageDeflate: FuzzTarget? { nil }

    /// The factories the negotiation fuzzing runs over.
    static var negotiationFactories: [any ExtensionFactory] { [ToyExtensionFactory()] }
}
#endif
