import WebSocketFraming

/// A whole unfragmented data message whose one frame began in one read and ends in a later one,
/// gathered for ``Connection/receiveBorrowing(_:offset:)``: its payload is unmasked (RFC 6455
/// §5.3) into memory the connection reuses, UTF-8 checked as it arrives (§8.1, failing as early
/// as the decoder's path does), and lent out like a frame read whole: no array per message.
///
/// Frames longer than ``maxPayload`` take the decoder's path instead (an array of their own,
/// which sending shares). The memory is released when a read ends between frames, so an idle
/// connection keeps none, unless the driver keeps it for the next frames and releases it once
/// the connection goes quiet (``Connection/keepsMemoryBetweenReads``). A value type: a copied
/// ``Connection`` copies the memory before writing to it.
@usableFromInline
struct FrameStage: Sendable {
    /// The longest payload gathered here: the size of a typical driver's read buffer (a frame
    /// that outgrows the reads is worth its own array, which is then sent without a copy).
    static let maxPayload = 256 * 1024

    /// The frame being gathered, or nil.
    private(set) var header: FrameHeader?

    /// Payload bytes gathered so far, unmasked.
    private(set) var count = 0

    /// Whether the last payload gathered was handed out and may still be in use (until the
    /// connection's next receive call).
    private(set) var isLent = false

    /// The UTF-8 state after the gathered bytes of a text frame.
    private var validator = UTF8Validator()

    /// The memory, at least as large as the frame's payload while gathering.
    @usableFromInline private(set) var storage: StageStorage?

    /// Whether a frame is being gathered.
    var isGathering: Bool { header != nil }

    /// Whether memory is held.
    @inlinable var retainsMemory: Bool { storage != nil }

    /// Starts gathering the frame of `header` (whose bytes continue in later reads).
    mutating func begin(_ header: FrameHeader) {
        precondition(header.payloadLength <= Self.maxPayload, "payload too long for the stage")
        self.header = header
        count = 0
        isLent = false
        validator = UTF8Validator()
        // A shared storage (a copied connection) is copied by `gather` before its first write.
        if storage == nil || storage!.bytes.count < header.payloadLength {
            storage = StageStorage(capacity: header.payloadLength)
        }
    }

    /// Gathers the frame's next bytes from `bytes[offset...]`, advancing `offset` past them.
    /// - Returns: true once the payload is complete (then lend or take it), false while more is
    ///   needed (`offset` is then `bytes.count`).
    /// - Throws: ``ConnectionError/Kind/invalidUTF8`` as soon as a text payload cannot be UTF-8.
    mutating func gather(_ bytes: UnsafeRawBufferPointer, offset: inout Int) throws(ConnectionError) -> Bool {
        guard let header, storage != nil else { return false }
        if !isKnownUniquelyReferenced(&storage!) { storage = storage!.copy(count) }
        let storage = storage!
        let taken = min(header.payloadLength &- count, bytes.count &- offset)
        if taken > 0 {
            let destination = UnsafeMutableRawBufferPointer(rebasing: storage.bytes[count..<(count &+ taken)])
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ taken)]))
            if let key = header.maskingKey { Masking.apply(key, to: destination, phase: count) }
            if header.opcode == .text, !validator.validate(UnsafeRawBufferPointer(destination)) {
                throw ConnectionError(.invalidUTF8)
            }
            count &+= taken
            offset &+= taken
        }
        guard count == header.payloadLength else { return false }
        guard header.opcode != .text || validator.isAtCharacterBoundary else { throw ConnectionError(.invalidUTF8) }
        return true
    }

    /// The complete payload, lent out: valid until ``endLoan()``.
    mutating func lend() -> (kind: Message.Kind, payload: UnsafeRawBufferPointer) {
        let kind: Message.Kind = header?.opcode == .text ? .text : .binary
        let payload = UnsafeRawBufferPointer(rebasing: storage!.bytes[0..<count])
        header = nil
        isLent = true
        return (kind, payload)
    }

    /// The complete frame, copied into an array of its own (for a receive path that reports
    /// messages as events).
    mutating func take() -> Frame {
        let opcode = header?.opcode ?? .binary
        let payload = Array(UnsafeRawBufferPointer(rebasing: storage!.bytes[0..<count]))
        reset()
        return Frame(opcode: opcode, isFinal: true, reservedBits: [], payload: payload)
    }

    /// The lent payload is no longer in use.
    mutating func endLoan() { isLent = false }

    /// Forgets the frame being gathered (the connection stopped decoding).
    mutating func reset() {
        header = nil
        count = 0
        isLent = false
    }

    /// Releases the memory when nothing is gathered or lent.
    mutating func releaseIfIdle() {
        if storage != nil, header == nil, !isLent { storage = nil }
    }
}

/// The stage's memory: raw bytes that stay where they are while a payload is lent out.
@usableFromInline
final class StageStorage: @unchecked Sendable {
    /// The bytes (uninitialised until gathered).
    let bytes: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        bytes = .allocate(byteCount: max(capacity, 1), alignment: 16)
    }

    deinit {
        bytes.deallocate()
    }

    /// A storage of the same capacity holding the first `count` bytes (copy on write).
    func copy(_ count: Int) -> StageStorage {
        let copy = StageStorage(capacity: bytes.count)
        copy.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        return copy
    }
}

