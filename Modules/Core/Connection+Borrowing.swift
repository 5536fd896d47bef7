import WebSocketExtensions
import WebSocketFraming

extension Connection {
    /// Feeds bytes from a buffer the caller owns and may overwrite, and hands out the next data
    /// message in place: unmasked where it lies (RFC 6455 §5.3), UTF-8 checked (§8.1), with no
    /// copy and no allocation. Call it again with the same `offset` after handling the message,
    /// until it returns nil; handle ``nextEvent()``'s events before each message (they happened
    /// before it), and after the last call.
    ///
    /// A message of one frame without reserved bits, with no extension negotiated, is handed
    /// out in place when the frame lies whole in `bytes` (its header may have begun in the
    /// previous read); when it continues in the next reads (up to ``FrameStage/maxPayload``
    /// bytes) it is gathered into memory the connection reuses and lent the same way once
    /// complete. Everything else (control frames, fragments, longer frames, compressed
    /// messages) takes the path of ``receive(_:)-(UnsafeRawBufferPointer)`` and is reported as
    /// events, a whole message as ``Event/message(_:)``. Same checks, close codes and results as
    /// that path, in any chunking (tested against it).
    /// - Parameters:
    ///   - bytes: the bytes read; payloads are unmasked in place.
    ///   - offset: where to go on from (0 for a new read); advanced past what was consumed.
    /// - Returns: the next message, valid until the next call; nil when the caller should
    ///   handle ``nextEvent()``'s events first: a message assembled from several frames (its
    ///   answer must leave before a later frame can fail the connection, as for Autobahn 5.15),
    ///   or the end of `bytes`. Call again while `offset < bytes.count`; `offset` reaches
    ///   `bytes.count` once everything is consumed or the connection stopped reading (closed,
    ///   failed, or out of message credit before our Close frame: the rest is staged as by
    ///   ``receive(_:)``).
    public mutating func receiveBorrowing(_ bytes: UnsafeMutableRawBufferPointer, offset: inout Int) -> BorrowedMessage? {
        guard offset < bytes.count else { return nil }
        stage.endLoan()  // the message lent by the previous call is handled
        if stage.isGathering {
            guard isDecodingFrames else { return receiveBorrowing(afterStopping: bytes, offset: &offset) }
            do {
                guard try stage.gather(UnsafeRawBufferPointer(bytes), offset: &offset) else { return nil }
            } catch {
                return stopReading(error, offset: &offset, end: bytes.count)
            }
            return lendStagedMessage()
        }
        if isDecodingFrames, extensions.isEmpty, !input.isEmpty {
            if let (header, size) = splitMessageHeader(bytes, offset: offset) {
                return takeSplitFrame(header, headerSize: size, bytes, offset: &offset)
            }
            if finishStagedHeader(bytes, offset: &offset) { return nil }
        }
        guard isDecodingFrames, input.isEmpty, extensions.isEmpty else {
            receive(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            offset = bytes.count
            return nil
        }
        while offset < bytes.count, isDecodingFrames, !isInputPaused {
            decoder.maxFrameSize = frameLimit
            let inPlace: (header: FrameHeader, payload: Range<Int>)?
            let frame: Frame?
            do {
                inPlace = try decoder.decodeInPlace(bytes, offset: &offset)
                if inPlace == nil, let (header, size) = stageableFrame(bytes, offset: offset) {
                    return beginStage(header, bytes, offset: offset &+ size, end: &offset)
                }
                frame = inPlace == nil ? try decoder.decode(from: UnsafeRawBufferPointer(bytes), offset: &offset) : nil
            } catch {
                return stopReading(ConnectionError(.framing(error)), offset: &offset, end: bytes.count)
            }
            let eventCount = events.total
            do {
                if let (header, range) = inPlace {
                    let payload = UnsafeRawBufferPointer(rebasing: bytes[range])
                    if let message = try takeInPlace(header, payload: payload) {
                        if offset == bytes.count { readEndedBetweenFrames() }
                        return message
                    }
                } else if let frame {
                    try handle(frame)
                } else {
                    checkPendingFrame()
                    break
                }
            } catch {
                return stopReading(error, offset: &offset, end: bytes.count)
            }
            // A message assembled from fragments (or staged across reads) was reported as an
            // event: let the caller answer it before the next frame is decoded.
            if reportedMessage(since: eventCount), offset < bytes.count { return nil }
        }
        if offset < bytes.count, isDecodingFrames {
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            processInput()
        }
        offset = bytes.count
        readEndedBetweenFrames()
        handleEOFIfDrained()
        return nil
    }

    /// The connection stopped decoding while a frame was being gathered: the frame is dropped,
    /// and the bytes go where ``receive(_:)`` puts them.
    private mutating func receiveBorrowing(afterStopping bytes: UnsafeMutableRawBufferPointer, offset: inout Int) -> BorrowedMessage? {
        stage.reset()
        receive(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        offset = bytes.count
        return nil
    }

    /// The header of a frame at `offset` that continues past the end of `bytes` and is gathered
    /// by ``stage`` rather than staged by the decoder: a whole unfragmented data message, without
    /// reserved bits, within the message limit and ``FrameStage/maxPayload``.
    private func stageableFrame(_ bytes: UnsafeMutableRawBufferPointer, offset: Int) -> (header: FrameHeader, size: Int)? {
        guard let (header, size) = decoder.partialFrameHeader(UnsafeRawBufferPointer(bytes), offset: offset),
              isWholePlainMessage(header),
              header.payloadLength <= FrameStage.maxPayload, header.payloadLength <= configuration.maxMessageSize
        else { return nil }
        return (header, size)
    }

    /// Whether the frame of `header` is a whole message that can be lent as its payload lies:
    /// a data frame with FIN and no reserved bits, while no fragmented message is in progress.
    private func isWholePlainMessage(_ header: FrameHeader) -> Bool {
        (header.opcode == .text || header.opcode == .binary) && header.isFinal && header.reservedBits.isEmpty
            && !assembler.isInProgress
    }

    /// Starts gathering the frame of `header`, whose payload starts at `start` and continues in
    /// the next reads; consumes the rest of `bytes` (`end` becomes `bytes.count`).
    private mutating func beginStage(
        _ header: FrameHeader, _ bytes: UnsafeMutableRawBufferPointer, offset start: Int, end: inout Int
    ) -> BorrowedMessage? {
        var offset = start
        stage.begin(header)
        do {
            _ = try stage.gather(UnsafeRawBufferPointer(bytes), offset: &offset)
        } catch {
            return stopReading(error, offset: &end, end: bytes.count)
        }
        end = bytes.count
        handleEOFIfDrained()
        return nil
    }

    /// The gathered frame's message, lent until the next call: one credit, as any message (nil:
    /// dropped, see ``hasRoomForMessage``).
    private mutating func lendStagedMessage() -> BorrowedMessage? {
        let (kind, payload) = stage.lend()
        guard hasRoomForMessage else { return nil }
        spendMessageCredit(bytes: payload.count)
        return BorrowedMessage(kind: kind, bytes: payload)
    }

    /// Fails the connection with `error` and consumes the rest of the read (never processed).
    private mutating func stopReading(_ error: ConnectionError, offset: inout Int, end: Int) -> BorrowedMessage? {
        fail(error)
        offset = end
        handleEOFIfDrained()
        return nil
    }

    /// Whether the last event since `eventCount` events is a message.
    private func reportedMessage(since eventCount: Int) -> Bool {
        events.endsWithMessage(after: eventCount)
    }

    /// The header of a whole plain data message that began in the previous read (its first
    /// bytes, all the input buffer holds: the decoder took every whole header before) and ends
    /// in this one, so that its payload is taken in place or gathered like any other rather
    /// than staged into an array of its own. Nil for any other frame or state.
    private mutating func splitMessageHeader(_ bytes: UnsafeMutableRawBufferPointer, offset: Int) -> (header: FrameHeader, size: Int)? {
        decoder.maxFrameSize = frameLimit
        guard !isInputPaused, input.readableCount < FrameHeader.maxEncodedSize,
              let (header, size) = decoder.splitFrameHeader(
                input.readableBytes, continuedIn: UnsafeRawBufferPointer(bytes), offset: offset),
              isWholePlainMessage(header), header.payloadLength <= configuration.maxMessageSize
        else { return nil }
        let isWhole = bytes.count &- offset &- size >= header.payloadLength
        return isWhole || header.payloadLength <= FrameStage.maxPayload ? (header, size) : nil
    }

    /// Takes the frame whose header ``splitMessageHeader(_:offset:)`` completed with the first
    /// `headerSize` bytes at `offset`: lent in place when its payload lies whole in this read
    /// (unmasked there, RFC 6455 §5.3), gathered otherwise.
    private mutating func takeSplitFrame(
        _ header: FrameHeader, headerSize: Int, _ bytes: UnsafeMutableRawBufferPointer, offset: inout Int
    ) -> BorrowedMessage? {
        input.removeAll(keepingCapacity: true)
        let start = offset &+ headerSize
        guard bytes.count &- start >= header.payloadLength else {
            return beginStage(header, bytes, offset: start, end: &offset)
        }
        let payload = UnsafeMutableRawBufferPointer(rebasing: bytes[start..<(start &+ header.payloadLength)])
        if let key = header.maskingKey { Masking.apply(key, to: payload) }
        offset = start &+ header.payloadLength
        do {
            let message = try takeInPlace(header, payload: UnsafeRawBufferPointer(payload))
            if offset == bytes.count { readEndedBetweenFrames() }
            return message
        } catch {
            return stopReading(error, offset: &offset, end: bytes.count)
        }
    }

    /// A frame header split across reads sits in the input buffer: feeds it the next bytes one
    /// at a time until the decoder has taken the header (at most 13), so that the rest of this
    /// read is decoded in place rather than staged.
    /// - Returns: true when a message was reported on the way (the caller answers it first).
    private mutating func finishStagedHeader(_ bytes: UnsafeMutableRawBufferPointer, offset: inout Int) -> Bool {
        while !input.isEmpty, offset < bytes.count, isDecodingFrames, !isInputPaused {
            let eventCount = events.total
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ 1)]))
            offset &+= 1
            processInput()
            if reportedMessage(since: eventCount), offset < bytes.count { return true }
        }
        return false
    }

    /// A whole frame decoded in place: an unfragmented plain data message is handed out as it
    /// lies; any other frame is copied and handled as ``receive(_:)`` would.
    private mutating func takeInPlace(_ header: FrameHeader, payload: UnsafeRawBufferPointer) throws(ConnectionError) -> BorrowedMessage? {
        guard isWholePlainMessage(header) else {
            let frame = Frame(opcode: header.opcode, isFinal: header.isFinal, reservedBits: header.reservedBits,
                              payload: Array(payload))
            try handle(frame)
            return nil
        }
        // The checks `handle(_:)` makes for such a frame: no reserved bits to own, a known data
        // opcode, no message in progress (all true here), the message limit (the decoder's
        // frame limit never drops below 125 bytes, so a lower limit is checked here, as
        // `receiveData` does), and §8.1's UTF-8 for text.
        guard payload.count <= configuration.maxMessageSize else {
            throw ConnectionError(.messageTooBig(limit: configuration.maxMessageSize))
        }
        let kind: Message.Kind = header.opcode == .text ? .text : .binary
        if kind == .text {
            var validator = UTF8Validator()
            guard validator.validate(payload), validator.isAtCharacterBoundary else {
                throw ConnectionError(.invalidUTF8)
            }
        }
        guard hasRoomForMessage else { return nil }
        spendMessageCredit(bytes: payload.count)
        return BorrowedMessage(kind: kind, bytes: payload)
    }

    /// Sends a borrowed message in one frame, copying its payload into the output (masked in
    /// the client role): no allocation once the output buffer has grown to its working size.
    /// - Parameters:
    ///   - message: a message handed out by ``receiveBorrowing(_:offset:)`` (or a driver).
    ///   - allowsCompression: `false` for data that does not compress.
    /// - Throws: as ``send(_:allowsCompression:)-(Message,_)``.
    public mutating func send(_ message: BorrowedMessage, allowsCompression: Bool = true) throws(ConnectionError) {
        // An assembled payload has an array: sent as it is (a large one without a copy).
        guard extensions.isEmpty, message.storage == nil else {
            return try send(message.message, allowsCompression: allowsCompression)
        }
        try checkCanSend()
        guard outgoingMessage == nil else { throw ConnectionError(.fragmentSequence) }
        let key = nextMaskingKey()
        FrameEncoder.encodeHeader(
            opcode: message.kind == .text ? .text : .binary, payloadLength: message.bytes.count,
            maskingKey: key, into: &output)
        if let key {
            Masking.copyApplying(key, from: message.bytes, appendingTo: &output, phase: 0)
        } else {
            output.append(contentsOf: message.bytes)
        }
    }
}
