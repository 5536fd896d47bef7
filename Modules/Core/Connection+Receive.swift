import WebSocketExtensions
import WebSocketFraming

extension Connection {
    /// Feeds bytes read from the transport. Never throws: a protocol violation fails the
    /// connection and is reported by ``Event/closed(_:)``.
    /// - Parameter bytes: the bytes, in any chunking; many frames in one chunk are handled in
    ///   one pass.
    public mutating func receive<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard !stage.isGathering else { return Array(bytes).withUnsafeBytes { receive($0) } }
        receiveStaged(bytes)
    }

    /// Feeds bytes borrowed from the transport (its read buffer), decoding frames straight from
    /// them: only what a read leaves unfinished (part of a header, or bytes read while decoding
    /// is paused) is staged in the input buffer. A large payload is thus copied once, from the
    /// transport's buffer into the message, instead of twice. Same results as the generic
    /// ``receive(_:)`` with the same bytes (tested against each other in any chunking).
    /// - Parameter bytes: the bytes; not kept after the call.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) {
        stage.endLoan()
        guard let bytes = continueStage(bytes) else { return handleEOFIfDrained() }
        guard isDecodingFrames, input.isEmpty else {
            return receiveStaged(bytes)
        }
        var offset = 0
        while offset < bytes.count, isDecodingFrames, !isInputPaused {
            decoder.maxFrameSize = frameLimit
            let frame: Frame?
            do {
                frame = try decoder.decode(from: bytes, offset: &offset)
            } catch {
                fail(ConnectionError(.framing(error)))
                return handleEOFIfDrained()
            }
            guard let frame else {
                checkPendingFrame()
                break
            }
            do {
                try handle(frame)
            } catch {
                fail(error)
                return handleEOFIfDrained()
            }
        }
        guard offset < bytes.count, isDecodingFrames else {
            return handleEOFIfDrained()
        }
        input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        processInput()
    }

    /// A frame that ``receiveBorrowing(_:offset:)`` began to gather goes on with `bytes`, read
    /// by another path; complete, it is handled as a frame with an array of its own.
    /// - Returns: the bytes after the frame; nil when the frame took them all or failed.
    private mutating func continueStage(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard stage.isGathering else { return bytes }
        guard isDecodingFrames else {
            stage.reset()
            return bytes
        }
        var offset = 0
        do {
            guard try stage.gather(bytes, offset: &offset) else { return nil }
            try handle(stage.take())
        } catch {
            fail(error)
            return nil
        }
        return UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }

    /// Appends `bytes` to the input buffer and processes what it completes.
    private mutating func receiveStaged<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        switch phase {
        case .connecting:
            receiveHandshake(bytes)
        case .awaitingUpgradeDecision:
            // Frames may follow an upgrade request at once; nothing after a plain request is read.
            if case .plain? = pendingRequest { return }
            input.append(contentsOf: bytes)
        case .open, .closing:
            // RFC 6455 §7.1.7: after failing, "the endpoint MUST NOT continue to attempt to
            // process data (including a responding Close frame) from the remote endpoint."
            guard !closeReceived else { return }
            input.append(contentsOf: bytes)
            processInput()
        case .closed:
            return
        }
    }

    /// Reports that the transport reached end of file (the peer closed TCP).
    ///
    /// Before a closing handshake this is an abnormal closure, code 1006 (RFC 6455 §7.1.5).
    ///
    /// While input is paused for lack of message credit, the EOF waits until the buffered
    /// frames before it are processed, so that a peer's last messages and close frame count.
    public mutating func receiveEOF() {
        eofReceived = true
        handleEOFIfDrained()
    }

    /// Applies a received EOF once no buffered input is waiting for message credit.
    mutating func handleEOFIfDrained() {
        guard eofReceived, !eofHandled else { return }
        if isInputPaused && !input.isEmpty && isDecodingFrames { return }
        eofHandled = true
        shouldCloseTransport = true
        guard phase != .closed else { return }
        if phase == .connecting || phase == .awaitingUpgradeDecision {
            return failHandshake(ConnectionError(.abnormalClosure))
        }
        finishClosing(CloseInfo(code: .abnormalClosure, reason: "", wasClean: false,
                                error: ConnectionError(.abnormalClosure)))
    }

    /// Limits how far the Core reads ahead of the application: each reported data message uses
    /// one credit and, once a byte limit was granted, its payload's length in byte credit; with
    /// either used up the Core stops decoding (the bytes stay buffered) until more is granted,
    /// or until we send a Close frame (see ``isInputPaused``). A message is reported whole
    /// while any byte credit is left, so one larger than the limit still gets through. A
    /// driver gives back what the application finished with, so that a violation that follows
    /// a message is seen only after the application handled that message when the count is 1
    /// (Autobahn 3.2, 4.1.3, 5.15 expect the echo before the close), while the byte limit
    /// bounds the memory of a longer read-ahead of small messages.
    ///
    /// The limits are set by the first grant of a count to a Core without limits (the byte
    /// limit with it, or none); later grants add to the limits that exist.
    /// - Parameters:
    ///   - count: credits to add; pass nil to remove both limits.
    ///   - bytes: byte credit to add (or, with the first count, the byte limit); nil for none.
    public mutating func grantMessageCredit(_ count: Int?, bytes: Int? = nil) {
        guard let count else {
            messageCredit = nil
            messageByteCredit = nil
            return resumeInputAfterGrant()
        }
        if let current = messageCredit {
            messageCredit = current + count
            if let bytes, let currentBytes = messageByteCredit { messageByteCredit = currentBytes + bytes }
        } else {
            messageCredit = count
            messageByteCredit = bytes
        }
        resumeInputAfterGrant()
    }

    /// Decodes on after a grant, unless input is still paused.
    private mutating func resumeInputAfterGrant() {
        guard !isInputPaused else { return }
        if phase == .open || phase == .closing { processInput() }
        handleEOFIfDrained()
    }

    /// Whether received frames are still decoded: the connection is open or closing and no
    /// Close frame has arrived (RFC 6455 §7.1.7: after failing, "the endpoint MUST NOT continue
    /// to attempt to process data").
    var isDecodingFrames: Bool { (phase == .open || phase == .closing) && !closeReceived }

    /// A data message of `bytes` payload bytes was reported (as an event or lent): it uses one
    /// credit and `bytes` of byte credit, where they count.
    mutating func spendMessageCredit(bytes: Int) {
        if let credit = messageCredit { messageCredit = credit - 1 }
        if let credit = messageByteCredit { messageByteCredit = credit - bytes }
    }

    /// Whether message credit (count and bytes) is left, nil counting as no limit.
    var hasMessageCredit: Bool {
        (messageCredit ?? 1) > 0 && (messageByteCredit ?? 1) > 0
    }

    /// Whether decoding is paused because no message credit is left.
    ///
    /// Never once we sent a Close frame: RFC 6455 §7.1.2 has the closing endpoint wait for the
    /// peer's Close, which a paused Core would never read while the application holds its
    /// backlog (``close(code:reason:)`` then hung until the driver's close timeout). Data
    /// messages decoded past the credit are dropped instead: the application asked to close,
    /// and what it has not made room for must not grow memory.
    public var isInputPaused: Bool {
        !hasMessageCredit && !closeSent
    }

    /// Whether a decoded data message is reported: always, except past the message credit
    /// after we sent a Close frame (see ``isInputPaused``), where it is dropped.
    var hasRoomForMessage: Bool {
        !closeSent || hasMessageCredit
    }

    /// Decodes and handles every complete frame in the input buffer.
    mutating func processInput() {
        defer { handleEOFIfDrained() }
        while isDecodingFrames, !isInputPaused {
            decoder.maxFrameSize = frameLimit
            let frame: Frame?
            do {
                frame = try decoder.decode(from: &input)
            } catch {
                return fail(ConnectionError(.framing(error)))
            }
            guard let frame else { return checkPendingFrame() }
            do {
                try handle(frame)
            } catch {
                return fail(error)
            }
        }
    }

    /// The largest data frame payload acceptable now: the frame limit, lowered to what is left
    /// of the message limit (control frames have their own limit of 125 bytes in the decoder;
    /// the message total is checked again after the frame is decoded).
    ///
    /// With an extension in use the payload on the wire may be an encoding of the message
    /// (permessage-deflate), and the message limit applies to the decoded message, which the
    /// extension checks as it decodes. Incompressible data grows when deflated (5 bytes per
    /// stored block, 1 per empty final block), so a message just under the limit may arrive a
    /// few bytes over it: the wire allows 0.1% + 64 bytes over what is left.
    var frameLimit: Int {
        let left = configuration.maxMessageSize - assembler.count
        guard !extensions.isEmpty else { return max(0, min(configuration.maxFrameSize, left)) }
        let (allowed, overflow) = left.addingReportingOverflow(max(0, left) / 1024 + 64)
        return max(0, min(configuration.maxFrameSize, overflow ? .max : allowed))
    }

    /// Checks a frame whose header has arrived but whose payload is still coming, so that an
    /// invalid frame fails as early as possible.
    mutating func checkPendingFrame() {
        guard let header = decoder.pendingHeader else { return }
        do throws(ConnectionError) {
            if !pendingHeaderChecked {
                pendingHeaderChecked = true
                try checkHeader(opcode: header.opcode, isFinal: header.isFinal, reservedBits: header.reservedBits)
            }
            guard assembler.isPlain, header.reservedBits.isEmpty, header.opcode.isData else { return }
            guard assembler.validatePending(decoder.pendingPayload) else {
                throw ConnectionError(.invalidUTF8)
            }
        } catch {
            fail(error)
        }
    }

    /// RFC 6455 §5.2 and §5.4 checks that need only the header, after extensions claimed theirs.
    mutating func checkHeader(opcode: Opcode, isFinal: Bool, reservedBits: ReservedBits) throws(ConnectionError) {
        // §5.2: "If a nonzero value is received and none of the negotiated extensions defines
        // the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket
        // Connection_."
        let unowned = reservedBits.subtracting(extensions.reservedBits)
        guard unowned.isEmpty else { throw ConnectionError(.reservedBits(unowned)) }
        // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the
        // WebSocket Connection_."
        guard !opcode.isReserved || extensions.opcodes.contains(opcode) else {
            throw ConnectionError(.reservedOpcode(opcode))
        }
        switch opcode {
        case .continuation:
            guard assembler.isInProgress else { throw ConnectionError(.unexpectedContinuation) }
            guard assembler.fragmentCount < configuration.maxFragmentsPerMessage else {
                throw ConnectionError(.tooManyFragments(limit: configuration.maxFragmentsPerMessage))
            }
        case .text, .binary:
            guard !assembler.isInProgress else { throw ConnectionError(.expectedContinuation(opcode)) }
            assembler.begin(opcode: opcode, isPlain: reservedBits.isEmpty)
        default:
            break
        }
    }

    /// Handles one complete frame: checks, extension decoding, then dispatch by opcode.
    mutating func handle(_ frame: Frame) throws(ConnectionError) {
        if pendingHeaderChecked {
            pendingHeaderChecked = false
        } else {
            try checkHeader(opcode: frame.opcode, isFinal: frame.isFinal, reservedBits: frame.reservedBits)
        }
        let decoded = try decodeExtensions(frame)
        switch decoded.opcode {
        case .ping: receivePing(decoded.payload)
        case .pong: events.append(.pong(decoded.payload))
        case .close: try receiveClose(decoded.payload)
        case .text, .binary, .continuation: try receiveData(decoded)
        default: events.append(.extensionFrame(decoded))
        }
    }

    /// Runs the extensions' decoders, bounded by what is left of the message limit.
    private mutating func decodeExtensions(_ frame: Frame) throws(ConnectionError) -> Frame {
        guard !extensions.isEmpty else { return frame }
        let left = frame.isControl ? 125 : configuration.maxMessageSize - assembler.count
        do {
            return try extensions.decode(frame, context: DecodingContext(maxPayloadSize: left))
        } catch {
            throw ConnectionError(.extension(error))
        }
    }

    /// Adds a data frame to the message in progress; reports the message when complete.
    private mutating func receiveData(_ frame: Frame) throws(ConnectionError) {
        guard assembler.count + frame.payload.count <= configuration.maxMessageSize else {
            throw ConnectionError(.messageTooBig(limit: configuration.maxMessageSize))
        }
        if let message = try assembler.append(frame), hasRoomForMessage {
            events.append(.message(message))
            spendMessageCredit(bytes: message.data.count)
        }
    }

    /// RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
    /// response ... [with] identical 'Application data'".
    private mutating func receivePing(_ payload: [UInt8]) {
        events.append(.ping(payload))
        guard phase == .open else { return }
        // §5.5.3: "If an endpoint receives a Ping frame and has not yet sent Pong frame(s) in
        // response to previous Ping frame(s), the endpoint MAY elect to send a Pong frame for
        // only the most recently processed Ping frame." Up to `maxQueuedPongs - 1` pongs go
        // straight to the output; the last place is the most recent ping's, replaced by each
        // newer one. While the output is blocked, that one place is all there is.
        let directLimit = isOutputBlocked ? 0 : configuration.maxQueuedPongs - 1
        if latestPong == nil && queuedPongs < directLimit {
            queuedPongs += 1
            try? writeFrame(Frame(opcode: .pong, payload: payload), context: EncodingContext())
        } else {
            latestPong = payload
        }
    }

    /// Writes the pong waiting for the most recent ping, if any, while pongs may still be sent;
    /// drops it once a close frame went out or the connection ended.
    mutating func flushLatestPong() {
        guard let payload = latestPong else { return }
        latestPong = nil
        guard phase == .open, !closeSent else { return }
        try? writeFrame(Frame(opcode: .pong, payload: payload), context: EncodingContext())
    }
}
