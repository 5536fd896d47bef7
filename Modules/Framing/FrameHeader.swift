/// The header of one frame on the wire (RFC 6455 §5.2): everything but the payload data.
///
/// ```
///  0                   1                   2                   3
/// +-+-+-+-+-------+-+-------------+-------------------------------+
/// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
/// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
/// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
/// | |1|2|3|       |K|             |                               |
/// ```
public struct FrameHeader: Hashable, Sendable {
    /// FIN: "Indicates that this is the final fragment in a message."
    public var isFinal: Bool
    /// RSV1-3, as received; the Core judges them once extensions have claimed theirs.
    public var reservedBits: ReservedBits
    /// The opcode, as received; reserved opcodes are reported, not rejected.
    public var opcode: Opcode
    /// The masking key, present exactly when the MASK bit is set (§5.3).
    public var maskingKey: MaskingKey?
    /// The payload length in bytes, after the extended length is decoded.
    public var payloadLength: Int

    /// Creates a header.
    /// - Parameters:
    ///   - isFinal: the FIN bit.
    ///   - reservedBits: RSV1-3.
    ///   - opcode: the opcode.
    ///   - maskingKey: the masking key, or `nil` for an unmasked frame.
    ///   - payloadLength: the payload length in bytes (not negative).
    public init(
        isFinal: Bool = true, reservedBits: ReservedBits = [], opcode: Opcode, maskingKey: MaskingKey? = nil,
        payloadLength: Int
    ) {
        self.isFinal = isFinal
        self.reservedBits = reservedBits
        self.opcode = opcode
        self.maskingKey = maskingKey
        self.payloadLength = payloadLength
    }

    /// Whether the frame is a control frame (§5.5).
    @inlinable public var isControl: Bool { opcode.isControl }

    /// The longest header on the wire (RFC 6455 §5.2): 2 bytes, 8 of extended length and a
    /// 4-byte masking key.
    public static let maxEncodedSize = 14

    /// This header's size on the wire: 2 to 14 bytes.
    public var encodedSize: Int {
        FrameHeader.encodedSize(payloadLength: payloadLength, isMasked: maskingKey != nil)
    }

    /// The size of a header on the wire (RFC 6455 §5.2): 2 bytes, plus 2 extended-length bytes for
    /// 126...65535 payload bytes or 8 for more, plus 4 for the masking key.
    /// - Parameters:
    ///   - payloadLength: the payload length in bytes (not negative).
    ///   - isMasked: whether a masking key follows the length.
    /// - Returns: the header size in bytes, 2 to 14.
    @inlinable
    public static func encodedSize(payloadLength: Int, isMasked: Bool) -> Int {
        let lengthSize = payloadLength <= 125 ? 0 : (payloadLength <= 0xFFFF ? 2 : 8)
        return 2 &+ lengthSize &+ (isMasked ? 4 : 0)
    }
}
