/// An incremental, role-aware frame parser (RFC 6455 §5.2): bytes in, unmasked frames out.
///
/// Feed it an ``InputBuffer`` and call ``decode(from:)`` until it returns `nil` (more bytes
/// needed). It enforces the framing rules of §5 as soon as the header bytes are there, before
/// waiting for the payload and before allocating anything: the masking rule for our role (§5.1),
/// minimal length encoding and the 64-bit length's zero top bit (§5.2), control frames of at most
/// 125 bytes with FIN set (§5.5), and ``maxFrameSize``.
///
/// It does not judge RSV bits or reserved opcodes (extensions may own them; the Core decides once
/// they have claimed theirs), nor UTF-8; it reports them in the ``Frame``.
///
/// A frame whose payload has not fully arrived is streamed: the bytes present are unmasked into
/// ``pendingPayload`` (its capacity reserved for the whole payload, up to 1 MiB) and removed from
/// the input, so a frame's bytes are never held twice, and the Core can validate a text frame's
/// UTF-8 while it arrives (Autobahn 6.4.3/6.4.4). The completed frame's payload is that same array.
///
/// After an error the decoder stays failed: every later call throws the same error.
public struct FrameDecoder: Sendable {
    /// Our role: a server requires masked frames, a client rejects them (§5.1).
    public let role: Role

    /// The largest data frame payload accepted; a longer one fails with
    /// ``FramingError/frameTooLarge(length:limit:)`` as soon as its length is read.
    ///
    /// The Core may lower it before each call to what is left of its message limit. Control
    /// frames are exempt: §5.5 already bounds them to 125 bytes, and they may arrive between the
    /// fragments of a message without counting towards it. A negative value counts as 0.
    public var maxFrameSize: Int

    /// The header of the frame being received, or `nil` between frames.
    public private(set) var pendingHeader: FrameHeader?

    /// The unmasked payload received so far of the frame being received (empty between frames).
    ///
    /// Read it between calls (for example to validate UTF-8 incrementally) but don't keep a copy
    /// across a call to ``decode(from:)``: the decoder appends to it, and a second reference would
    /// make that append copy the whole array.
    public private(set) var pendingPayload: [UInt8]

    /// The error the decoder failed with, if it has; ``decode(from:)`` rethrows it.
    public internal(set) var failure: FramingError?

    /// The most capacity reserved for a payload before its bytes arrive (1 MiB, the default
    /// frame limit); a longer payload's buffer grows geometrically as its bytes come in.
    static let maxUpfrontReservation = 1 << 20

    /// Arrays offered by ``recycle(_:)`` for the next large payloads, the newest last (see
    /// `FrameDecoder+Recycling.swift`); empty when none is held.
    var recycled: [[UInt8]] = []

    /// Creates a decoder.
    /// - Parameters:
    ///   - role: our role in the connection (§5.1).
    ///   - maxFrameSize: the largest data frame payload accepted, in bytes.
    public init(role: Role, maxFrameSize: Int) {
        self.role = role
        self.maxFrameSize = maxFrameSize
        pendingHeader = nil
        pendingPayload = []
        failure = nil
    }

    /// Decodes the next frame from `input`, consuming its bytes.
    ///
    /// A frame wholly in the buffer is copied and unmasked in one pass into an exactly sized
    /// array. Otherwise the available payload bytes move into ``pendingPayload`` and the call
    /// returns `nil`; so does a call that has not got the whole header yet (those bytes stay in
    /// `input`).
    /// - Parameter input: the receive buffer.
    /// - Returns: the next complete frame, its payload unmasked, or `nil` when more bytes are needed.
    /// - Throws: ``FramingError`` when the frame breaks a rule of RFC 6455 §5; then and afterwards
    ///   the decoder is failed and every call throws the same error.
    public mutating func decode(from input: inout InputBuffer) throws(FramingError) -> Frame? {
        if let failure { throw failure }
        if pendingHeader == nil {
            guard let header = try readHeader(from: &input) else { return nil }
            if input.readableCount >= header.payloadLength {
                return takeFrame(header, from: &input)
            }
            pendingHeader = header
            // Reserve at most `maxUpfrontReservation`: the length is the peer's claim, and a
            // 10-byte header must not commit memory (or trap, under a limit of `Int.max`).
            pendingPayload = payloadStorage(count: Swift.min(header.payloadLength, Self.maxUpfrontReservation))
        }
        return continuePayload(from: &input)
    }

    /// Parses and consumes the next header, recording any error as the decoder's failure.
    mutating func readHeader(from input: inout InputBuffer) throws(FramingError) -> FrameHeader? {
        let parsed: (header: FrameHeader, size: Int)?
        do {
            parsed = try FrameHeader.parse(
                input.storage, from: input.readIndex, to: input.storage.count, role: role,
                maxFrameSize: maxFrameSize)
        } catch {
            failure = error
            throw error
        }
        guard let parsed else { return nil }
        input.removeFirst(parsed.size)
        return parsed.header
    }

    /// The fast path: the whole payload is in `input`; copy and unmask it in one pass.
    mutating func takeFrame(_ header: FrameHeader, from input: inout InputBuffer) -> Frame {
        let range = input.readIndex..<(input.readIndex &+ header.payloadLength)
        var payload: [UInt8] = []
        if let key = header.maskingKey {
            payload = payloadStorage(count: header.payloadLength)
            Masking.copyApplying(key, from: input.storage, range: range, appendingTo: &payload, phase: 0)
        } else if !range.isEmpty {
            payload = payloadStorage(count: header.payloadLength)
            payload.append(contentsOf: input.storage[range])
        }
        input.removeFirst(header.payloadLength)
        return Frame(header, payload: payload)
    }

    /// The streaming path: move what has arrived of the pending payload into ``pendingPayload``,
    /// unmasking it with the right phase, and return the frame once it is complete.
    mutating func continuePayload(from input: inout InputBuffer) -> Frame? {
        guard let header = pendingHeader else { return nil }
        let received = pendingPayload.count
        let count = Swift.min(header.payloadLength &- received, input.readableCount)
        if count > 0 {
            let range = input.readIndex..<(input.readIndex &+ count)
            if let key = header.maskingKey {
                Masking.copyApplying(key, from: input.storage, range: range, appendingTo: &pendingPayload,
                                     phase: received)
            } else {
                pendingPayload.append(contentsOf: input.storage[range])
            }
            input.removeFirst(count)
        }
        guard pendingPayload.count == header.payloadLength else { return nil }
        var payload: [UInt8] = []
        swap(&payload, &pendingPayload)
        pendingHeader = nil
        return Frame(header, payload: payload)
    }
}

extension FrameDecoder {
    /// Decodes the next frame straight from `bytes` (for example the transport's read buffer),
    /// starting at `offset` and advancing it past what was consumed, without staging the bytes
    /// in an ``InputBuffer`` first: a complete frame's payload is copied (and unmasked) once,
    /// into its own array; a partial payload goes into ``pendingPayload``.
    ///
    /// Same rules and same results as ``decode(from:)`` on the same bytes. Returns `nil` when
    /// `bytes` ended inside the payload (``pendingHeader`` is set and everything was consumed)
    /// or inside a header (``pendingHeader`` is `nil` and the unconsumed bytes, fewer than 14,
    /// must be staged by the caller for the next call of ``decode(from:)``).
    /// - Parameters:
    ///   - bytes: borrowed bytes; nothing keeps a reference to them.
    ///   - offset: where to start; on return, the first byte not consumed.
    /// - Returns: the next complete frame, or `nil` as described.
    /// - Throws: ``FramingError`` as ``decode(from:)`` does.
    public mutating func decode(from bytes: UnsafeRawBufferPointer, offset: inout Int) throws(FramingError) -> Frame? {
        Self.checkOffset(offset, in: bytes.count)
        if let failure { throw failure }
        if pendingHeader == nil {
            let parsed: (header: FrameHeader, size: Int)?
            do {
                parsed = try FrameHeader.parse(bytes, from: offset, to: bytes.count, role: role, maxFrameSize: maxFrameSize)
            } catch {
                failure = error
                throw error
            }
            guard let (header, size) = parsed else { return nil }
            offset &+= size
            if bytes.count &- offset >= header.payloadLength {
                let payload = copyPayload(header, from: bytes, range: offset..<(offset &+ header.payloadLength))
                offset &+= header.payloadLength
                return Frame(header, payload: payload)
            }
            pendingHeader = header
            pendingPayload = payloadStorage(count: Swift.min(header.payloadLength, Self.maxUpfrontReservation))
        }
        guard let header = pendingHeader else { return nil }
        let received = pendingPayload.count
        let count = Swift.min(header.payloadLength &- received, bytes.count &- offset)
        if count > 0 {
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ count)])
            if let key = header.maskingKey {
                Masking.copyApplying(key, from: chunk, appendingTo: &pendingPayload, phase: received)
            } else {
                pendingPayload.append(contentsOf: chunk)
            }
            offset &+= count
        }
        guard pendingPayload.count == header.payloadLength else { return nil }
        var payload: [UInt8] = []
        swap(&payload, &pendingPayload)
        pendingHeader = nil
        return Frame(header, payload: payload)
    }

    /// A complete payload copied out of borrowed bytes, unmasked when the header has a key.
    mutating func copyPayload(_ header: FrameHeader, from bytes: UnsafeRawBufferPointer, range: Range<Int>) -> [UInt8] {
        guard !range.isEmpty else { return [] }
        let source = UnsafeRawBufferPointer(rebasing: bytes[range])
        var payload = payloadStorage(count: range.count)
        if let key = header.maskingKey {
            Masking.copyApplying(key, from: source, appendingTo: &payload, phase: 0)
        } else {
            payload.append(contentsOf: source)
        }
        return payload
    }
}

extension Frame {
    /// A frame from a decoded header and its unmasked payload.
    init(_ header: FrameHeader, payload: [UInt8]) {
        self.init(opcode: header.opcode, isFinal: header.isFinal, reservedBits: header.reservedBits,
                  payload: payload)
    }
}

extension FrameDecoder {
    /// The pointer entry points read (and ``decodeInPlace(_:offset:)`` writes) from `offset`
    /// on: an offset outside the buffer is the caller's error, which unchecked buffer pointers
    /// would turn into an access out of bounds in a release build. The caller is the receiver's
    /// own code, never a peer: a trap, not an error.
    @inline(__always)
    static func checkOffset(_ offset: Int, in count: Int) {
        precondition(offset >= 0 && offset <= count, "FrameDecoder: offset \(offset) is outside a buffer of \(count) bytes")
    }
}
