public import WebSocketExtensions
public import WebSocketFraming
public import WebSocketHandshake

/// A toy extension for tests: owns RSV2 and opcode 0x3. It reverses the payload of every data
/// frame it marks with RSV2, and passes its own opcode's frames through, so tests can prove
/// that the Core routes bits, opcodes and payloads through extensions in both directions.
public struct ToyExtension: WebSocketExtension {
    /// The private opcode the toy owns.
    public static let opcode = Opcode(rawValue: 0x3)!
    public var name: String { "x-toy" }
    public var reservedBits: ReservedBits { .rsv2 }
    public var opcodes: [Opcode] { [Self.opcode] }
    /// How many frames went through each direction.
    public private(set) var encoded = 0
    public private(set) var decoded = 0

    public init() {}

    public mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame {
        encoded += 1
        guard frame.opcode.isData, frame.opcode != Self.opcode else { return frame }
        var frame = frame
        frame.payload.reverse()
        frame.reservedBits.insert(.rsv2)
        return frame
    }

    public mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame {
        decoded += 1
        guard frame.reservedBits.contains(.rsv2) else { return frame }
        guard frame.opcode.isData else {
            throw ExtensionError(.protocolError, "RSV2 on a control frame")
        }
        var frame = frame
        frame.payload.reverse()
        frame.reservedBits.remove(.rsv2)
        return frame
    }
}

/// Negotiates ``ToyExtension`` as `x-toy`; a parameter `reject` in a response fails it.
public struct ToyExtensionFactory: ExtensionFactory {
    public var name: String { "x-toy" }
    public init() {}

    public func makeClientOffers() -> [ExtensionElement] { [ExtensionElement(name: "x-toy")] }

    public func acceptServerResponse(_ response: ExtensionElement) throws(ExtensionError) -> any WebSocketExtension {
        guard response.parameters.isEmpty else {
            throw ExtensionError(.negotiationFailed, "x-toy takes no parameters")
        }
        return ToyExtension()
    }

    public func negotiateClientOffers(_ offers: [ExtensionElement]) throws(ExtensionError) -> ExtensionAgreement? {
        guard offers.contains(where: { $0.parameters.isEmpty }) else { return nil }
        return ExtensionAgreement(response: ExtensionElement(name: "x-toy"), extension: ToyExtension())
    }
}

/// A second toy that also claims RSV2, to test ownership conflicts.
public struct ConflictingExtension: WebSocketExtension {
    public var name: String { "x-conflict" }
    public var reservedBits: ReservedBits { .rsv2 }
    public init() {}
    public mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame { frame }
    public mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame { frame }
}
