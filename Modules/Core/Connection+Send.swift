import WebSocketExtensions
public import WebSocketFraming

extension Connection {
    /// Sends a complete message in one frame (RFC 6455 §5.6).
    /// - Parameters:
    ///   - message: the message.
    ///   - allowsCompression: pass `false` for data that does not compress (images, archives).
    /// - Throws: ``ConnectionError`` `.notOpen` unless the connection is open, `.fragmentSequence`
    ///   while a fragmented message is being sent.
    public mutating func send(_ message: Message, allowsCompression: Bool = true) throws(ConnectionError) {
        let opcode: Opcode = message.kind == .text ? .text : .binary
        try sendFragment(message.data, opcode: opcode, isFinal: true, allowsCompression: allowsCompression)
    }

    /// Sends text.
    public mutating func send(text: String) throws(ConnectionError) {
        try send(.text(text))
    }

    /// Sends binary data.
    public mutating func send(binary: [UInt8]) throws(ConnectionError) {
        try send(.binary(binary))
    }

    /// Sends one fragment of a message (RFC 6455 §5.4), for streaming large payloads.
    ///
    /// The first fragment names the message's kind (`.text` or `.binary`); later ones pass
    /// `.continuation`. Fragments of two messages never interleave: RFC 6455 §5.4 "the
    /// fragments of one message MUST NOT be interleaved between the fragments of another".
    /// - Parameters:
    ///   - payload: this fragment's bytes. Text may be split anywhere, even inside a character.
    ///   - opcode: `.text`/`.binary` for the first fragment, `.continuation` afterwards.
    ///   - isFinal: whether this fragment ends the message.
    ///   - allowsCompression: whether extensions may compress this message.
    public mutating func sendFragment(
        _ payload: [UInt8], opcode: Opcode, isFinal: Bool, allowsCompression: Bool = true
    ) throws(ConnectionError) {
        try checkCanSend()
        switch opcode {
        case .continuation:
            guard outgoingMessage != nil else { throw ConnectionError(.fragmentSequence) }
        case .text, .binary:
            guard outgoingMessage == nil else { throw ConnectionError(.fragmentSequence) }
        default:
            throw ConnectionError(.invalidState("\(opcode) is not a data opcode"))
        }
        let frame = Frame(opcode: opcode, isFinal: isFinal, payload: payload)
        try writeFrame(frame, context: EncodingContext(allowsCompression: allowsCompression))
        outgoingMessage = isFinal ? nil : (outgoingMessage ?? opcode)
    }

    /// Sends a ping (RFC 6455 §5.5.2); the peer answers with a pong carrying the same payload.
    /// - Parameter payload: at most 125 bytes.
    public mutating func ping(_ payload: [UInt8] = []) throws(ConnectionError) {
        try sendControl(.ping, payload)
    }

    /// Sends an unsolicited pong, a unidirectional heartbeat (RFC 6455 §5.5.3).
    /// - Parameter payload: at most 125 bytes.
    public mutating func pong(_ payload: [UInt8] = []) throws(ConnectionError) {
        try sendControl(.pong, payload)
    }

    /// Sends a frame with an opcode that a negotiated extension owns.
    /// - Parameter frame: the frame; its opcode must be owned by an extension.
    public mutating func sendExtensionFrame(_ frame: Frame) throws(ConnectionError) {
        try checkCanSend()
        guard extensions.opcodes.contains(frame.opcode) else {
            throw ConnectionError(.invalidState("no negotiated extension owns \(frame.opcode)"))
        }
        try writeFrame(frame, context: EncodingContext())
    }

    private mutating func sendControl(_ opcode: Opcode, _ payload: [UInt8]) throws(ConnectionError) {
        try checkCanSend()
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        guard payload.count <= 125 else { throw ConnectionError(.controlPayloadTooLong(payload.count)) }
        try writeFrame(Frame(opcode: opcode, payload: payload), context: EncodingContext())
    }

    /// Whether ``send(_:allowsCompression:)`` would take a whole message now: the connection is
    /// open, no Close frame was sent (RFC 6455 §5.5.1) and no fragmented message is under way
    /// (§5.4). A driver can publish this to threads that queue messages for it.
    public var canSendMessage: Bool { phase == .open && !closeSent && outgoingMessage == nil }

    /// Whether a fragmented message we send is under way and can still end: the connection is
    /// open, no Close frame was sent, and its final fragment has not been sent. A whole message
    /// must wait for that fragment (RFC 6455 §5.4: "the fragments of one message MUST NOT be
    /// interleaved between the fragments of another").
    public var isSendingFragmentedMessage: Bool { phase == .open && !closeSent && outgoingMessage != nil }

    /// RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a
    /// Close frame."
    func checkCanSend() throws(ConnectionError) {
        guard phase == .open, !closeSent else { throw ConnectionError(.notOpen) }
    }

    /// Runs a frame through the extensions, masks it in the client role, and appends it to the
    /// output. An extension failure fails the connection (1011 or as mapped) and is rethrown.
    mutating func writeFrame(_ frame: Frame, context: EncodingContext) throws(ConnectionError) {
        var encoded = frame
        if !extensions.isEmpty {
            do {
                encoded = try extensions.encode(frame, context: context)
            } catch {
                let failure = ConnectionError(.extension(error))
                fail(failure)
                throw failure
            }
        }
        let key = nextMaskingKey()
        if key == nil, encoded.payload.count >= Self.zeroCopyThreshold {
            // A large unmasked payload is not copied: the header ends the output so far, and the
            // payload follows as its own array (`takeOutput(into:)` for chunks).
            FrameEncoder.encodeHeader(
                opcode: encoded.opcode, isFinal: encoded.isFinal, reservedBits: encoded.reservedBits,
                payloadLength: encoded.payload.count, maskingKey: nil, into: &output)
            sealedOutput.append(output)
            sealedOutput.append(encoded.payload)
            sealedOutputCount += output.count + encoded.payload.count
            output = takeSpareOutput()
        } else {
            FrameEncoder.encode(encoded, maskingKey: key, into: &output)
        }
    }

    /// The masking key of the next outgoing frame: nil for a server; for a client, RFC 6455
    /// §5.3: "The masking key needs to be unpredictable"; a fresh key per frame.
    mutating func nextMaskingKey() -> MaskingKey? {
        role.masksOutgoingFrames ? MaskingKey(using: &random) : nil
    }

    /// Unmasked payloads of at least this many bytes are kept as their own arrays in the output
    /// rather than copied into it (16 KiB: below it, a copy costs less than another buffer in a
    /// gathered write).
    public static let zeroCopyThreshold = 16 * 1024
}
