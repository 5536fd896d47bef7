public import WebSocketExtensions
public import WebSocketFraming
public import WebSocketHandshake

/// The one error type of WebSocketCore: every way a connection can fail, and every misuse.
///
/// Peer violations never throw: they close the connection with ``closeCode`` and are reported in
/// ``CloseInfo/error``. Application calls throw only on misuse (e.g. sending after close).
public struct ConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Hashable, Sendable {
        // MARK: Protocol violations by the peer
        /// The frame layer refused the input (masking, length encoding, control-frame rules).
        case framing(FramingError)
        /// RSV bits set that no negotiated extension owns (RFC 6455 §5.2).
        case reservedBits(ReservedBits)
        /// A reserved opcode no negotiated extension owns (RFC 6455 §5.2).
        case reservedOpcode(Opcode)
        /// A continuation frame with no message in progress (RFC 6455 §5.4).
        case unexpectedContinuation
        /// A new text or binary frame while a fragmented message is still open (RFC 6455 §5.4).
        case expectedContinuation(Opcode)
        /// A text message or close reason that is not valid UTF-8 (RFC 6455 §8.1).
        case invalidUTF8
        /// A message larger than ``Configuration/maxMessageSize`` (or a frame larger than
        /// ``Configuration/maxFrameSize``).
        case messageTooBig(limit: Int)
        /// A message split into more than ``Configuration/maxFragmentsPerMessage`` frames.
        case tooManyFragments(limit: Int)
        /// A close frame with a 1-byte payload (RFC 6455 §5.5.1).
        case invalidClosePayload
        /// A close code that may not appear on the wire (RFC 6455 §7.4).
        case invalidCloseCode(UInt16)
        /// A negotiated extension refused a frame.
        case `extension`(ExtensionError)

        // MARK: Opening handshake
        /// The HTTP upgrade was malformed or refused (RFC 6455 §4).
        case handshake(HandshakeError)
        /// The extension negotiation failed (RFC 6455 §9.1).
        case extensionNegotiation(ExtensionError)
        /// The server application rejected the upgrade with this HTTP status.
        case upgradeRejected(status: Int)
        /// The server application answered a plain HTTP request (not an upgrade) with this
        /// status (``Configuration/deliversPlainHTTPRequests``); no WebSocket connection opened.
        case plainHTTPRequestAnswered(status: Int)

        // MARK: Transport and timers (reported by the driver)
        /// The transport ended without a closing handshake (RFC 6455 §7.1.5: code 1006).
        case abnormalClosure
        /// The opening handshake did not complete in time.
        case openTimeout
        /// The peer did not answer our close frame in time.
        case closeTimeout
        /// The peer did not answer a keepalive ping in time.
        case keepaliveTimeout

        // MARK: Misuse by the application
        /// The connection is not open (still connecting, or already closing or closed).
        case notOpen
        /// A control frame payload over 125 bytes (RFC 6455 §5.5).
        case controlPayloadTooLong(Int)
        /// A close code that may not be sent (1005, 1006, 1015, or outside the registry).
        case codeMayNotBeSent(CloseCode)
        /// A close reason over 123 bytes of UTF-8 (RFC 6455 §5.5: 125 minus the code).
        case closeReasonTooLong(Int)
        /// A fragment of a new message while another fragmented message is being sent, or a
        /// continuation with none in progress (RFC 6455 §5.4: fragments MUST NOT interleave).
        case fragmentSequence
        /// The operation does not apply to this role or phase (e.g. accepting twice).
        case invalidState(String)
    }

    /// What happened.
    public var kind: Kind

    /// Creates an error.
    /// - Parameter kind: what happened.
    public init(_ kind: Kind) { self.kind = kind }

    /// Whether the peer's input broke a rule (framing, UTF-8, limits, close payload, an
    /// extension's decoding), as opposed to a timeout, the transport's end or misuse: the peer
    /// may still be sending when the connection fails (see
    /// ``Connection/lingersBeforeClosing``).
    public var isViolationByThePeer: Bool {
        switch kind {
        case .framing, .messageTooBig, .tooManyFragments, .reservedBits, .reservedOpcode,
             .unexpectedContinuation, .expectedContinuation, .invalidClosePayload, .invalidCloseCode,
             .invalidUTF8:
            return true
        case .extension(let error):
            // An extension's own failure (1011, e.g. zlib out of memory while we encode) is ours.
            return error.kind != .internalError
        case .handshake, .extensionNegotiation, .upgradeRejected, .plainHTTPRequestAnswered, .abnormalClosure,
             .openTimeout, .closeTimeout, .keepaliveTimeout, .notOpen, .controlPayloadTooLong, .codeMayNotBeSent,
             .closeReasonTooLong, .fragmentSequence, .invalidState:
            return false
        }
    }

    /// The close code this failure is reported with: every protocol violation maps to exactly
    /// one code, here and nowhere else. `nil` for misuse, which does not close the connection.
    public var closeCode: CloseCode? {
        switch kind {
        case .framing(.frameTooLarge), .messageTooBig, .tooManyFragments:
            return .messageTooBig
        case .framing, .reservedBits, .reservedOpcode, .unexpectedContinuation,
             .expectedContinuation, .invalidClosePayload, .invalidCloseCode:
            return .protocolError
        case .invalidUTF8:
            return .invalidFramePayloadData
        case .extension(let error):
            return Self.closeCode(for: error)
        case .handshake, .extensionNegotiation, .upgradeRejected, .plainHTTPRequestAnswered, .abnormalClosure,
             .openTimeout, .closeTimeout:
            return .abnormalClosure
        case .keepaliveTimeout:
            return .internalError
        case .notOpen, .controlPayloadTooLong, .codeMayNotBeSent, .closeReasonTooLong,
             .fragmentSequence, .invalidState:
            return nil
        }
    }

    /// RFC 6455 §7.4.1's code for each kind of extension failure.
    static func closeCode(for error: ExtensionError) -> CloseCode {
        switch error.kind {
        case .protocolError, .negotiationFailed: .protocolError
        case .invalidPayload: .invalidFramePayloadData
        case .messageTooBig: .messageTooBig
        case .internalError: .internalError
        }
    }

    /// Whether this failure is the peer's protocol violation, answered with a close frame.
    var sendsCloseFrame: Bool {
        guard let code = closeCode else { return false }
        return code.mayBeSent
    }

    /// A short explanation for people (and for the close frame's reason).
    public var description: String {
        switch kind {
        case .framing(let error): "framing error: \(error)"
        case .reservedBits(let bits): "reserved bits \(bits) set without an extension that owns them"
        case .reservedOpcode(let opcode): "reserved \(opcode) without an extension that owns it"
        case .unexpectedContinuation: "continuation frame without a message in progress"
        case .expectedContinuation(let opcode): "\(opcode) frame while a fragmented message is in progress"
        case .invalidUTF8: "invalid UTF-8 in text"
        case .messageTooBig(let limit): "message exceeds \(limit) bytes"
        case .tooManyFragments(let limit): "message exceeds \(limit) fragments"
        case .invalidClosePayload: "close frame with a 1-byte payload"
        case .invalidCloseCode(let code): "invalid close code \(code)"
        case .extension(let error): "extension error: \(error.message)"
        case .handshake(let error): "opening handshake failed: \(error)"
        case .extensionNegotiation(let error): "extension negotiation failed: \(error.message)"
        case .upgradeRejected(let status): "upgrade rejected with HTTP \(status)"
        case .plainHTTPRequestAnswered(let status): "a plain HTTP request (not an upgrade) answered with \(status)"
        case .abnormalClosure: "connection closed without a closing handshake"
        case .openTimeout: "opening handshake timed out"
        case .closeTimeout: "closing handshake timed out"
        case .keepaliveTimeout: "keepalive ping timeout"
        case .notOpen: "the connection is not open"
        case .controlPayloadTooLong(let count): "control frame payload of \(count) bytes exceeds 125"
        case .codeMayNotBeSent(let code): "close code \(code) may not be sent"
        case .closeReasonTooLong(let count): "close reason of \(count) bytes exceeds 123"
        case .fragmentSequence: "fragments of two messages may not interleave"
        case .invalidState(let what): what
        }
    }
}
