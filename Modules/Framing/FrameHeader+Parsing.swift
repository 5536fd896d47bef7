extension FrameHeader {
    /// Parses the header at `bytes[start..<end]`, checking every framing rule of RFC 6455 §5 as
    /// soon as the bytes it needs are there, before anything is allocated.
    ///
    /// The MASK bit and FIN of a control frame are checked once two bytes are in; the length rules
    /// once the extended length is in, before waiting for the masking key.
    /// - Parameters:
    ///   - bytes: the buffer holding the header.
    ///   - start: the index of the header's first byte.
    ///   - end: the index after the last buffered byte.
    ///   - role: our role, which decides whether frames must be masked.
    ///   - maxFrameSize: the largest data frame payload accepted.
    /// - Returns: the header and its size on the wire, or `nil` when more bytes are needed.
    /// - Throws: the ``FramingError`` for the first rule the header breaks.
    ///
    /// Generic so that the same code reads the staged input (`[UInt8]`) and the transport's
    /// buffer (`UnsafeRawBufferPointer`); callers in this module get it specialised.
    static func parse<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, from start: Int, to end: Int, role: Role, maxFrameSize: Int
    ) throws(FramingError) -> (header: FrameHeader, size: Int)? where Bytes.Index == Int {
        let available = end &- start
        guard available >= 2 else { return nil }
        let first = bytes[start], second = bytes[start &+ 1]
        let isMasked = second & 0x80 != 0
        try checkMask(isMasked, role: role)
        let opcode = Opcode(uncheckedRawValue: first & 0x0F)
        let isFinal = first & 0x80 != 0
        // §5.5: "Control frames themselves MUST NOT be fragmented."
        if opcode.isControl && !isFinal { throw .fragmentedControlFrame }

        let code = second & 0x7F
        let lengthSize = code == 127 ? 8 : (code == 126 ? 2 : 0)
        guard available >= 2 &+ lengthSize else { return nil }
        var length = UInt64(code)
        if lengthSize > 0 {
            length = 0
            for index in (start &+ 2)..<(start &+ 2 &+ lengthSize) { length = length << 8 | UInt64(bytes[index]) }
        }
        try checkLength(length, code: code, isControl: opcode.isControl, maxFrameSize: maxFrameSize)

        let size = 2 &+ lengthSize &+ (isMasked ? 4 : 0)
        guard available >= size else { return nil }
        let key = isMasked ? readKey(bytes, at: start &+ 2 &+ lengthSize) : nil
        let header = FrameHeader(
            isFinal: isFinal, reservedBits: ReservedBits(rawValue: first), opcode: opcode, maskingKey: key,
            payloadLength: Int(length))
        return (header, size)
    }

    /// Enforces the masking rules of RFC 6455 §5.1 for a frame received by `role`.
    static func checkMask(_ isMasked: Bool, role: Role) throws(FramingError) {
        switch role {
        case .server:
            // §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
            if !isMasked { throw .maskRequired }
        case .client:
            // §5.1: "A client MUST close a connection if it detects a masked frame."
            if isMasked { throw .unexpectedMask }
        }
    }

    /// Enforces the payload length rules of RFC 6455 §5.2 and §5.5 and the frame size limit.
    /// - Parameters:
    ///   - length: the decoded payload length.
    ///   - code: the 7-bit length field (126 and 127 announce an extended length).
    ///   - isControl: whether the opcode is a control opcode.
    ///   - maxFrameSize: the data frame limit; control frames are bounded by 125 bytes instead.
    static func checkLength(
        _ length: UInt64, code: UInt8, isControl: Bool, maxFrameSize: Int
    ) throws(FramingError) {
        if code == 127 {
            // §5.2: "the most significant bit MUST be 0"
            if length & (1 << 63) != 0 { throw .lengthMostSignificantBitSet }
            // §5.2: "the minimal number of bytes MUST be used to encode the length"
            if length <= 0xFFFF { throw .nonMinimalLength }
        } else if code == 126 && length <= 125 {
            // §5.2: "the minimal number of bytes MUST be used to encode the length"
            throw .nonMinimalLength
        }
        if isControl {
            // §5.5: "All control frames MUST have a payload length of 125 bytes or less"
            if length > 125 { throw .controlFrameTooLong(length: length) }
        } else if length > UInt64(Swift.max(0, maxFrameSize)) {
            throw .frameTooLarge(length: length, limit: maxFrameSize)
        }
    }

    /// Reads the four masking key bytes at `index` (RFC 6455 §5.2 "Masking-key").
    static func readKey<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Int) -> MaskingKey
    where Bytes.Index == Int {
        MaskingKey(bytes[index], bytes[index &+ 1], bytes[index &+ 2], bytes[index &+ 3])
    }
}
