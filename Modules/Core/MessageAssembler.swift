import WebSocketFraming

/// Reassembles fragmented data messages (RFC 6455 §5.4) and validates text as it arrives.
///
/// A single-frame message passes its payload through without a copy; fragments are appended
/// into one buffer that grows to the message size, with no object per fragment.
struct MessageAssembler: Sendable {
    /// The opcode of the message in progress (`.text` or `.binary`), nil between messages.
    private(set) var opcode: Opcode?
    /// Whether the message's first frame carried no reserved bits, so that its bytes on the wire
    /// are its payload and can be validated before extensions see them.
    private(set) var isPlain = true
    private var payload: [UInt8] = []
    private(set) var fragmentCount = 0
    private var validator = UTF8Validator()
    /// How many bytes of the decoder's pending (partial) frame were already validated.
    private var validatedPendingCount = 0

    /// The size of the message so far.
    var count: Int { payload.count }

    /// Whether a fragmented message is open.
    var isInProgress: Bool { opcode != nil }

    /// Starts a message with its first frame's opcode and RSV bits.
    mutating func begin(opcode: Opcode, isPlain: Bool) {
        self.opcode = opcode
        self.isPlain = isPlain
        fragmentCount = 0
        validator.reset()
    }

    /// Validates the newly arrived bytes of a text frame that is still arriving (fail fast:
    /// Autobahn 6.4.3/6.4.4 expect the failure at the TCP chunk that goes wrong).
    /// - Returns: false when the bytes are not valid UTF-8.
    mutating func validatePending(_ partial: [UInt8]) -> Bool {
        guard opcode == .text, partial.count > validatedPendingCount else { return true }
        defer { validatedPendingCount = partial.count }
        return validator.validate(partial, range: validatedPendingCount..<partial.count)
    }

    /// Adds a decoded data frame; returns the message when the frame is final.
    /// - Parameters:
    ///   - frame: the frame after extension decoding.
    ///   - preValidated: whether this frame's bytes were already validated while arriving.
    /// - Throws: ``ConnectionError`` for invalid UTF-8.
    mutating func append(_ frame: Frame) throws(ConnectionError) -> Message? {
        fragmentCount += 1
        if opcode == .text {
            let start = isPlain ? min(validatedPendingCount, frame.payload.count) : 0
            guard validator.validate(frame.payload, range: start..<frame.payload.count) else {
                throw ConnectionError(.invalidUTF8)
            }
        }
        validatedPendingCount = 0
        if payload.isEmpty && frame.isFinal {
            return try finish(with: frame.payload)
        }
        payload.append(contentsOf: frame.payload)
        guard frame.isFinal else { return nil }
        let data = payload
        payload = []
        return try finish(with: data)
    }

    /// Ends the message: "MUST _Fail the WebSocket Connection_" if text ends mid-character.
    private mutating func finish(with data: [UInt8]) throws(ConnectionError) -> Message {
        let kind: Message.Kind = opcode == .text ? .text : .binary
        opcode = nil
        if kind == .text && !validator.isAtCharacterBoundary {
            throw ConnectionError(.invalidUTF8)
        }
        return Message(kind: kind, data: data)
    }
}
