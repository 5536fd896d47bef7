public import WebSocketFraming

/// The negotiated extensions of one connection, in negotiation order (RFC 6455 §9).
///
/// The stack enforces ownership: two extensions may not own the same reserved bit or opcode, and
/// no extension may own a standard opcode. Outgoing frames pass through the extensions in order;
/// incoming frames in reverse order, so that the last transformation applied by the sender is
/// the first one undone.
public struct ExtensionStack: Sendable {
    /// The extensions, in negotiation order.
    public private(set) var extensions: [any WebSocketExtension]
    /// Every reserved bit some extension owns.
    public let reservedBits: ReservedBits
    /// Every reserved opcode some extension owns.
    public let opcodes: Set<Opcode>

    /// An empty stack: no extension, no reserved bit or opcode allowed.
    public init() {
        self.extensions = []
        self.reservedBits = []
        self.opcodes = []
    }

    /// Creates a stack and checks ownership.
    /// - Parameter extensions: the extensions in negotiation order.
    /// - Throws: ``ExtensionError`` (`negotiationFailed`) when two extensions claim the same bit
    ///   or opcode, or one claims a standard opcode.
    public init(_ extensions: [any WebSocketExtension]) throws(ExtensionError) {
        var bits: ReservedBits = []
        var codes: Set<Opcode> = []
        for item in extensions {
            try Self.checkOwnership(of: item, bits: bits, opcodes: codes)
            bits.formUnion(item.reservedBits)
            codes.formUnion(item.opcodes)
        }
        self.extensions = extensions
        self.reservedBits = bits
        self.opcodes = codes
    }

    /// Whether no extension was negotiated.
    public var isEmpty: Bool { extensions.isEmpty }

    /// Whether `item` could join a stack owning `bits` and `opcodes`.
    /// - Throws: ``ExtensionError`` naming the conflict.
    public static func checkOwnership(
        of item: any WebSocketExtension, bits: ReservedBits, opcodes: Set<Opcode>
    ) throws(ExtensionError) {
        let sharedBits = item.reservedBits.intersection(bits)
        guard sharedBits.isEmpty else {
            throw ExtensionError(.negotiationFailed, "\(item.name) claims \(sharedBits), already owned by another extension")
        }
        for opcode in item.opcodes {
            guard opcode.isReserved else {
                throw ExtensionError(.negotiationFailed, "\(item.name) claims the standard opcode \(opcode)")
            }
            guard !opcodes.contains(opcode) else {
                throw ExtensionError(.negotiationFailed, "\(item.name) claims \(opcode), already owned by another extension")
            }
        }
    }

    /// Passes an outgoing frame through every extension, in order.
    public mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame {
        var frame = frame
        for index in extensions.indices {
            frame = try extensions[index].encode(frame, context: context)
        }
        return frame
    }

    /// Passes an incoming frame through every extension, in reverse order.
    public mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame {
        var frame = frame
        for index in extensions.indices.reversed() {
            frame = try extensions[index].decode(frame, context: context)
        }
        return frame
    }
}
