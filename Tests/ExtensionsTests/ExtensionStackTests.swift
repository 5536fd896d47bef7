import Testing
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// RFC 6455 §9 and DESIGN.md §4: ownership rules, order, negotiation.
@Suite("RFC 6455 §9 Extension stack and negotiation")
struct ExtensionStackTests {
    @Test func twoExtensionsMayNotOwnTheSameBit() {
        #expect(throws: ExtensionError.self) { try ExtensionStack([ToyExtension(), ConflictingExtension()]) }
    }

    @Test func stackCollectsOwnedBitsAndOpcodes() throws {
        let stack = try ExtensionStack([ToyExtension()])
        #expect(stack.reservedBits == .rsv2)
        #expect(stack.opcodes == [ToyExtension.opcode])
    }

    @Test func encodeThenDecodeRoundTrips() throws {
        var stack = try ExtensionStack([ToyExtension()])
        let frame = Frame(opcode: .binary, payload: [1, 2, 3])
        let encoded = try stack.encode(frame, context: EncodingContext())
        #expect(encoded.payload == [3, 2, 1])
        #expect(encoded.reservedBits == .rsv2)
        #expect(try stack.decode(encoded, context: DecodingContext(maxPayloadSize: 10)) == frame)
    }

    @Test func clientAcceptRefusesAnExtensionThatWasNotOffered() {
        #expect(throws: ExtensionError.self) {
            try ExtensionNegotiation.clientAccept([ExtensionElement(name: "x-other")], factories: [ToyExtensionFactory()])
        }
    }

    @Test func clientAcceptRefusesTheSameExtensionTwice() {
        let toy = ExtensionElement(name: "x-toy")
        #expect(throws: ExtensionError.self) {
            try ExtensionNegotiation.clientAccept([toy, toy], factories: [ToyExtensionFactory()])
        }
    }

    @Test func serverNegotiationAcceptsOfferedExtensionsOnly() throws {
        let none = try ExtensionNegotiation.serverNegotiate([ExtensionElement(name: "x-other")], factories: [ToyExtensionFactory()])
        #expect(none.response.isEmpty && none.stack.isEmpty)
        let toy = try ExtensionNegotiation.serverNegotiate(
            [ExtensionElement(name: "x-other"), ExtensionElement(name: "X-Toy")], factories: [ToyExtensionFactory()])
        #expect(toy.response == [ExtensionElement(name: "x-toy")])
        #expect(toy.stack.reservedBits == .rsv2)
    }

    /// Two configured factories of one extension that owns no bit (parameters only): the first
    /// that agrees wins, the response names the extension once (RFC 6455 §9.1; our own client
    /// refuses a name twice). Before, the response was `x-flag, x-flag`.
    @Test func serverNegotiationAcceptsAnExtensionOnceWhateverTheConfiguration() throws {
        let result = try ExtensionNegotiation.serverNegotiate(
            [ExtensionElement(name: "x-flag")], factories: [FlagFactory(), FlagFactory()])
        #expect(result.response == [ExtensionElement(name: "x-flag")])
    }

    /// RFC 6455 §4.1: "The use of an extension that was not present in the client's handshake
    /// ... MUST _Fail the WebSocket Connection_". A factory configured but offering nothing did
    /// not put its extension in the handshake; it was accepted by name before.
    @Test func clientAcceptRefusesAnExtensionItsFactoryDidNotOffer() {
        #expect(throws: ExtensionError.self) {
            try ExtensionNegotiation.clientAccept([ExtensionElement(name: "x-flag")], factories: [FlagFactory(offers: false)])
        }
    }

    @Test func clientOffersComeInConfigurationOrder() {
        let offers = ExtensionNegotiation.clientOffers([ToyExtensionFactory(), ToyExtensionFactory()])
        #expect(offers.map(\.name) == ["x-toy", "x-toy"])
    }
}

/// `x-flag`: an extension with parameters only (no reserved bit, no opcode), which offers
/// itself unless told not to.
struct FlagFactory: ExtensionFactory {
    struct Flag: WebSocketExtension {
        var name: String { "x-flag" }
        mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame { frame }
        mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame { frame }
    }

    var offers = true
    var name: String { "x-flag" }
    func makeClientOffers() -> [ExtensionElement] { offers ? [ExtensionElement(name: "x-flag")] : [] }
    func acceptServerResponse(_ response: ExtensionElement) throws(ExtensionError) -> any WebSocketExtension { Flag() }
    func negotiateClientOffers(_ offers: [ExtensionElement]) throws(ExtensionError) -> ExtensionAgreement? {
        ExtensionAgreement(response: ExtensionElement(name: "x-flag"), extension: Flag())
    }
}
