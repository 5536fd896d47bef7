/// Serialises frames to the wire format of RFC 6455 §5.2.
///
/// Always uses the minimal length encoding (§5.2: "the minimal number of bytes MUST be used to
/// encode the length") and masks with the key it is given (§5.3). It does not judge the frame:
/// control frame size, RSV bits and opcodes are the Core's business, and it never mutates the
/// frame (the copy in the output is what gets masked).
public enum FrameEncoder {
    /// Appends `frame`'s header and payload to `output`, masking the copied payload when a key is
    /// given.
    ///
    /// RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server" and "A server
    /// MUST NOT mask any frames that it sends to the client": pass a fresh key for every frame a
    /// client sends (``MaskingKey/random()``) and `nil` for every frame a server sends.
    ///
    /// Grows `output` at most once, geometrically, so appending into a reused array allocates
    /// nothing in steady state.
    /// - Parameters:
    ///   - frame: the frame to encode; its payload is the unmasked data.
    ///   - maskingKey: the key to mask the payload with, or `nil` to send it unmasked.
    ///   - output: the array to append the encoded frame to.
    public static func encode(_ frame: Frame, maskingKey: MaskingKey?, into output: inout [UInt8]) {
        let payloadLength = frame.payload.count
        reserve(&output, additional: encodedSize(of: frame, isMasked: maskingKey != nil))
        encodeHeader(
            opcode: frame.opcode, isFinal: frame.isFinal, reservedBits: frame.reservedBits,
            payloadLength: payloadLength, maskingKey: maskingKey, into: &output)
        if let maskingKey {
            Masking.copyApplying(maskingKey, from: frame.payload, range: 0..<payloadLength, appendingTo: &output)
        } else {
            output.append(contentsOf: frame.payload)
        }
    }

    /// Appends a frame header alone (2 to 14 bytes) to `output`, for sending header and payload
    /// with one vectored write. A masked payload must then be masked by the caller with the same
    /// key (``Masking/apply(_:to:range:phase:)``).
    /// - Parameters:
    ///   - opcode: the opcode.
    ///   - isFinal: the FIN bit; `true` by default.
    ///   - reservedBits: RSV1-3; empty by default.
    ///   - payloadLength: the payload length in bytes; must not be negative.
    ///   - maskingKey: the masking key, which sets the MASK bit, or `nil`.
    ///   - output: the array to append the header to.
    public static func encodeHeader(
        opcode: Opcode, isFinal: Bool = true, reservedBits: ReservedBits = [], payloadLength: Int,
        maskingKey: MaskingKey?, into output: inout [UInt8]
    ) {
        precondition(payloadLength >= 0, "negative payload length")
        reserve(&output, additional: FrameHeader.encodedSize(payloadLength: payloadLength, isMasked: maskingKey != nil))
        output.append((isFinal ? 0x80 : 0) | reservedBits.rawValue | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        // §5.2: "the minimal number of bytes MUST be used to encode the length"
        if payloadLength <= 125 {
            output.append(maskBit | UInt8(truncatingIfNeeded: payloadLength))
        } else if payloadLength <= 0xFFFF {
            output.append(maskBit | 126)
            appendBigEndian(UInt64(payloadLength), byteCount: 2, to: &output)
        } else {
            output.append(maskBit | 127)
            appendBigEndian(UInt64(payloadLength), byteCount: 8, to: &output)
        }
        if let maskingKey {
            appendBigEndian(UInt64(maskingKey.value), byteCount: 4, to: &output)
        }
    }

    /// The size of `frame` on the wire: header plus payload.
    /// - Parameters:
    ///   - frame: the frame.
    ///   - isMasked: whether it will be sent with a masking key.
    /// - Returns: the encoded size in bytes.
    @inlinable
    public static func encodedSize(of frame: Frame, isMasked: Bool) -> Int {
        FrameHeader.encodedSize(payloadLength: frame.payload.count, isMasked: isMasked) &+ frame.payload.count
    }

    /// Ensures room for `additional` more bytes, growing at least geometrically so that repeated
    /// appends stay amortised O(1) (a plain `reserveCapacity(count + n)` would grow linearly).
    static func reserve(_ output: inout [UInt8], additional: Int) {
        let needed = output.count &+ additional
        if needed > output.capacity {
            output.reserveCapacity(Swift.max(needed, output.capacity &* 2))
        }
    }

    /// Appends the low `byteCount` bytes of `value` in network byte order (§5.2: "Multibyte length
    /// quantities are expressed in network byte order").
    static func appendBigEndian(_ value: UInt64, byteCount: Int, to output: inout [UInt8]) {
        var shift = (byteCount &- 1) &* 8
        while shift >= 0 {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift &-= 8
        }
    }
}
