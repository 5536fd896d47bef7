/// The RSV1, RSV2 and RSV3 bits of a frame header (RFC 6455 §5.2).
///
/// The raw value uses the bit positions of the first header byte (RSV1 = 0x40, RSV2 = 0x20,
/// RSV3 = 0x10), so `firstByte & 0x70` is a valid raw value. "MUST be 0 unless an extension is
/// negotiated that defines meanings for non-zero values."
public struct ReservedBits: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits in their header-byte positions; only 0x70 may be set.
    public let rawValue: UInt8

    /// Creates the set from header-byte positions; bits outside 0x70 are dropped.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x70 }

    /// RSV1, used by permessage-deflate (RFC 7692 §6).
    public static let rsv1 = ReservedBits(rawValue: 0x40)
    /// RSV2.
    public static let rsv2 = ReservedBits(rawValue: 0x20)
    /// RSV3.
    public static let rsv3 = ReservedBits(rawValue: 0x10)
    /// All three reserved bits.
    public static let all: ReservedBits = [.rsv1, .rsv2, .rsv3]

    /// A readable list such as `[rsv1, rsv3]`.
    public var description: String {
        var names: [String] = []
        if contains(.rsv1) { names.append("rsv1") }
        if contains(.rsv2) { names.append("rsv2") }
        if contains(.rsv3) { names.append("rsv3") }
        return "[" + names.joined(separator: ", ") + "]"
    }
}
