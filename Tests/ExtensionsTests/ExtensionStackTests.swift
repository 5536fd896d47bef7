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

    @Test func clientOffersComeInConfigurationOrder() {
        let offers = ExtensionNegotiation.clientOffers([ToyExtensionFactory(), ToyExtensionFactory()])
        #expect(offers.map(\.name) == ["x-toy", "x-toy"])
    }
}
