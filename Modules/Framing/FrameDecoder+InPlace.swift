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
        Self.checkOffset(offset, in: bytes.count)
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
        Self.checkOffset(offset, in: bytes.count)
        guard failure == nil, pendingHeader == nil,
              let parsed = try? FrameHeader.parse(bytes, from: offset, to: bytes.count, role: role, maxFrameSize: maxFrameSize),
              bytes.count &- offset &- parsed.size < parsed.header.payloadLength
        else { return nil }
        return parsed
    }
}

extension FrameDecoder {
    /// The header of a frame split across reads: its first bytes (`prefix`) came in an earlier
    /// read and wait in the receiver's input buffer, the rest begins at `bytes[offset]`. For a
    /// receiver that then takes the payload from `bytes` in place, or gathers it, rather than
    /// have ``decode(from:)`` stage it into an array. Consumes nothing.
    ///
    /// Nil when a frame is already pending, the header does not end within `bytes` (still
    /// incomplete, or whole in `prefix`), or it breaks a rule of RFC 6455 §5.2 (the decoder
    /// then fails with the error when given the bytes).
    /// - Parameters:
    ///   - prefix: the header's first bytes, fewer than ``FrameHeader/maxEncodedSize``.
    ///   - bytes: the receiver's buffer.
    ///   - offset: where the rest of the header starts in `bytes`.
    /// - Returns: the header, and how many of its bytes lie in `bytes` from `offset`.
    public func splitFrameHeader(
        _ prefix: ArraySlice<UInt8>, continuedIn bytes: UnsafeRawBufferPointer, offset: Int
    ) -> (header: FrameHeader, sizeInBytes: Int)? {
        Self.checkOffset(offset, in: bytes.count)
        guard failure == nil, pendingHeader == nil, prefix.count < FrameHeader.maxEncodedSize else { return nil }
        let taken = Swift.min(FrameHeader.maxEncodedSize &- prefix.count, bytes.count &- offset)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: FrameHeader.maxEncodedSize) { header in
            let end = prefix.count &+ taken
            _ = header.initialize(from: prefix)
            for index in 0..<taken { header[prefix.count &+ index] = bytes[offset &+ index] }
            let whole = UnsafeBufferPointer(rebasing: header[..<end])
            guard let parsed = try? FrameHeader.parse(whole, from: 0, to: end, role: role, maxFrameSize: maxFrameSize),
                  parsed.size > prefix.count
            else { return nil }
            return (parsed.header, parsed.size &- prefix.count)
        }
    }
}
