extension FrameDecoder {
    /// Decodes the next frame where it lies, when it lies whole in `bytes`: the payload is
    /// unmasked in place (RFC 6455 §5.3) and returned as a range of `bytes`, with no copy and no
    /// allocation. For a receiver that owns its read buffer and handles the payload before
    /// reading again.
    ///
    /// Returns nil, consuming nothing, when the frame at `offset` is not whole in `bytes` or a
    /// frame is already pending: ``decode(from:offset:)`` then stages it as usual.
    /// - Parameters:
    ///   - bytes: the receiver's buffer; the payload's bytes are overwritten with their
    ///     unmasked values.
    ///   - offset: where the frame starts; advanced past it.
    /// - Returns: the header and where its unmasked payload is in `bytes`.
    /// - Throws: ``FramingError`` for a header that breaks RFC 6455 §5.2 (as ``decode(from:offset:)``).
    public mutating func decodeInPlace(
        _ bytes: UnsafeMutableRawBufferPointer, offset: inout Int
    ) throws(FramingError) -> (header: FrameHeader, payload: Range<Int>)? {
        if let failure { throw failure }
        guard pendingHeader == nil else { return nil }
        let parsed: (header: FrameHeader, size: Int)?
        do {
            parsed = try FrameHeader.parse(
                UnsafeRawBufferPointer(bytes), from: offset, to: bytes.count, role: role, maxFrameSize: maxFrameSize)
        } catch {
            failure = error
            throw error
        }
        guard let (header, size) = parsed, bytes.count &- offset &- size >= header.payloadLength else { return nil }
        let payload = (offset &+ size)..<(offset &+ size &+ header.payloadLength)
        if let key = header.maskingKey {
            Masking.apply(key, to: UnsafeMutableRawBufferPointer(rebasing: bytes[payload]))
        }
        offset = payload.upperBound
        return (header, payload)
    }
}

extension FrameDecoder {
    /// The header of the frame at `offset` when the header lies in `bytes` but the payload goes
    /// on past its end: for a receiver that gathers such a frame itself rather than have it
    /// staged by ``decode(from:offset:)``. Consumes nothing.
    ///
    /// Nil when a frame is already pending, the header is incomplete, the frame lies whole in
    /// `bytes` (``decodeInPlace(_:offset:)`` takes it), or the header breaks a rule of RFC 6455
    /// §5.2 (``decode(from:offset:)`` then fails with the error).
    /// - Parameters:
    ///   - bytes: the receiver's buffer.
    ///   - offset: where the frame starts.
    /// - Returns: the header and its size in bytes.
    public func partialFrameHeader(_ bytes: UnsafeRawBufferPointer, offset: Int) -> (header: FrameHeader, size: Int)? {
        guard failure == nil, pendingHeader == nil,
              let parsed = try? FrameHeader.parse(bytes, from: offset, to: bytes.count, role: role, maxFrameSize: maxFrameSize),
              bytes.count &- offset &- parsed.size < parsed.header.payloadLength
        else { return nil }
        return parsed
    }
}
