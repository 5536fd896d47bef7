public import WebSocketFraming
import WebSocketExtensions

extension Connection {
    /// Starts the closing handshake (RFC 6455 §7.1.2): sends a close frame and waits for the
    /// peer's. Does nothing if a close frame was already sent or the connection is closed.
    /// From here on input is decoded whatever the message credit, so that the peer's close
    /// frame is seen; data messages past the credit are dropped (see ``isInputPaused``).
    /// - Parameters:
    ///   - code: the status code; 1005, 1006 and 1015 may not be sent (RFC 6455 §7.4.1).
    ///   - reason: at most 123 bytes of UTF-8.
    /// - Throws: ``ConnectionError`` for a code that may not be sent or a reason too long.
    public mutating func close(code: CloseCode = .normalClosure, reason: String = "") throws(ConnectionError) {
        guard code.mayBeSent else { throw ConnectionError(.codeMayNotBeSent(code)) }
        let reasonBytes = Array(reason.utf8)
        guard reasonBytes.count <= 123 else { throw ConnectionError(.closeReasonTooLong(reasonBytes.count)) }
        switch phase {
        case .connecting, .awaitingUpgradeDecision:
            failHandshake(ConnectionError(.abnormalClosure))
        case .open:
            sendClose(code: code, reason: reasonBytes)
            phase = .closing
            // Input held back for lack of message credit is read on now, to the peer's Close
            // (see `isInputPaused`).
            processInput()
        case .closing, .closed:
            return
        }
    }

    /// Fails the connection (RFC 6455 §7.1.7): sends a close frame with the error's close code
    /// when one applies, stops processing input, and reports ``Event/closed(_:)``.
    ///
    /// The driver calls this for failures it detects itself: open, close or keepalive timeouts.
    /// - Parameter error: why the connection fails.
    public mutating func fail(_ error: ConnectionError) {
        switch phase {
        case .closed:
            return
        case .connecting, .awaitingUpgradeDecision:
            return failHandshake(error)
        case .open, .closing:
            break
        }
        let code = error.closeCode ?? .internalError
        if !closeSent && code.mayBeSent {
            sendClose(code: code, reason: Array(Self.closeReason(for: error).utf8))
        }
        closeReceived = true  // nothing more is read from the peer
        input.removeAll()
        lingersBeforeClosing = error.isViolationByThePeer && !eofReceived
        finishClosing(CloseInfo(code: code, reason: Self.closeReason(for: error), wasClean: false, error: error))
    }

    /// Reports that the driver's close timer fired: the peer did not complete the closing
    /// handshake (or, client role, did not close TCP) in time. The transport should close.
    public mutating func closeTimedOut() {
        shouldCloseTransport = true
        lingersBeforeClosing = false
        guard phase != .closed else { return }
        fail(ConnectionError(.closeTimeout))
        shouldCloseTransport = true
    }

    /// Handles a received close frame (RFC 6455 §5.5.1, §7.1.5, §7.4).
    mutating func receiveClose(_ payload: [UInt8]) throws(ConnectionError) {
        let (code, reason) = try Self.parseClosePayload(payload)
        closeReceived = true
        input.removeAll()
        if !closeSent {
            // §5.5.1: "If an endpoint receives a Close frame and did not previously send a
            // Close frame, the endpoint MUST send a Close frame in response." We echo the code;
            // a close without a code is answered with an empty close.
            sendClose(code: code == .noStatusReceived ? nil : code, reason: [])
        }
        finishClosing(CloseInfo(code: code, reason: reason, wasClean: true))
    }

    /// Splits a close payload into code and reason and validates both.
    static func parseClosePayload(_ payload: [UInt8]) throws(ConnectionError) -> (CloseCode, String) {
        if payload.isEmpty { return (.noStatusReceived, "") }
        // §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte
        // unsigned integer ... representing a status code".
        guard payload.count >= 2 else { throw ConnectionError(.invalidClosePayload) }
        let code = CloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isValidReceived else { throw ConnectionError(.invalidCloseCode(code.rawValue)) }
        let reason = Array(payload[2...])
        // §5.5.1: the body "is not guaranteed to be human readable" but is UTF-8 (§8.1).
        guard UTF8Validator.isValid(reason) else { throw ConnectionError(.invalidUTF8) }
        return (code, String(decoding: reason, as: UTF8.self))
    }

    /// Queues a close frame (and nothing may follow it).
    mutating func sendClose(code: CloseCode?, reason: [UInt8]) {
        flushLatestPong()  // a pong may precede the close frame, never follow it
        var payload: [UInt8] = []
        if let code {
            payload.reserveCapacity(2 + reason.count)
            payload.append(UInt8(code.rawValue >> 8))
            payload.append(UInt8(code.rawValue & 0xFF))
            payload.append(contentsOf: reason)
        }
        closeSent = true
        try? writeFrame(Frame(opcode: .close, payload: payload), context: EncodingContext())
    }

    /// Moves to `.closed` (or, when we still wait for the peer's close frame, keeps `.closing`)
    /// and reports the closure once.
    mutating func finishClosing(_ info: CloseInfo) {
        phase = .closed
        releaseExtensions()
        if role == .server { shouldCloseTransport = true }
        guard closeInfo == nil else { return }
        closeInfo = info
        events.append(.closed(info))
    }

    /// Drops the extensions' per-connection state once no frame can pass them any more: a
    /// permessage-deflate compressor and decompressor hold ~300 KiB (windows, zlib's tables),
    /// which a closed connection the application still references should not keep.
    mutating func releaseExtensions() {
        if !extensions.isEmpty { extensions = ExtensionStack() }
    }

    /// A close reason for a failure: the description, cut to the 123 bytes a close frame allows
    /// on a character boundary.
    static func closeReason(for error: ConnectionError) -> String {
        var reason = ""
        for character in error.description {
            guard reason.utf8.count + character.utf8.count <= 123 else { break }
            reason.append(character)
        }
        return reason
    }
}
