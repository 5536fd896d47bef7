/// A frame opcode (RFC 6455 §5.2, §11.8).
///
/// `Opcode` is an open struct rather than a closed enum so that extensions can own the reserved
/// opcodes (RFC 6455 §5.2: "%x3-7 are reserved for further non-control frames", "%xB-F are reserved
/// for further control frames").
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit value on the wire (0x0 through 0xF).
    public let rawValue: UInt8

    /// Creates an opcode from its 4-bit wire value; returns `nil` above 0xF.
    public init?(rawValue: UInt8) {
        guard rawValue <= 0x0F else { return nil }
        self.rawValue = rawValue
    }

    @usableFromInline
    init(uncheckedRawValue: UInt8) { self.rawValue = uncheckedRawValue }

    /// `%x0` denotes a continuation frame.
    public static let continuation = Opcode(uncheckedRawValue: 0x0)
    /// `%x1` denotes a text frame.
    public static let text = Opcode(uncheckedRawValue: 0x1)
    /// `%x2` denotes a binary frame.
    public static let binary = Opcode(uncheckedRawValue: 0x2)
    /// `%x8` denotes a connection close.
    public static let close = Opcode(uncheckedRawValue: 0x8)
    /// `%x9` denotes a ping.
    public static let ping = Opcode(uncheckedRawValue: 0x9)
    /// `%xA` denotes a pong.
    public static let pong = Opcode(uncheckedRawValue: 0xA)

    /// Control frames have opcodes whose most significant bit is 1 (RFC 6455 §5.5).
    @inlinable public var isControl: Bool { rawValue & 0x08 != 0 }

    /// Data frames are the non-control opcodes (RFC 6455 §5.6), continuation included.
    @inlinable public var isData: Bool { !isControl }

    /// Whether RFC 6455 defines no meaning for this opcode: %x3-7 and %xB-F (§5.2).
    /// Only a negotiated extension may use one.
    @inlinable public var isReserved: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: false
        default: true
        }
    }

    /// A readable name, e.g. `text` or `opcode(0x3)`.
    public var description: String {
        switch rawValue {
        case 0x0: "continuation"
        case 0x1: "text"
        case 0x2: "binary"
        case 0x8: "close"
        case 0x9: "ping"
        case 0xA: "pong"
        default: "opcode(0x" + String(rawValue, radix: 16, uppercase: true) + ")"
        }
    }
}
