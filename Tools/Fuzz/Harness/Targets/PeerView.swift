import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake

/// What the peer sees of everything a `Connection` writes: an HTTP head, then frames. It checks
/// that the bytes are well formed as they arrive (RFC 6455 §5 framing, masking for the role,
/// nothing after the close frame, a valid close payload) and collects the data messages.
struct PeerView {
    /// The role of the connection that writes the bytes.
    let writer: Role
    /// The peer's side of the negotiated extensions, when the harness could build it: frames
    /// go through it before the checks.
    var extensions: ExtensionStack?
    /// The RSV bits and opcodes the negotiated extensions own: frames that still carry such bits
    /// after ``extensions`` (or without it) are opaque, counted but not compared.
    var ownedBits: ReservedBits = []
    var ownedOpcodes: Set<Opcode> = []
    /// The head the connection wrote, once complete.
    private(set) var head: HTTPHead?
    /// The messages the connection sent, reassembled; nil for one the harness cannot decode.
    private(set) var messages: [Message?] = []
    /// The pong payloads the connection sent.
    private(set) var pongs: [[UInt8]] = []
    /// The close frame's payload, once sent.
    private(set) var closePayload: [UInt8]?
    /// Bytes after a rejection response's body, or after a close frame: must stay empty.
    private(set) var trailingCount = 0

    private var headParser = HTTPHeadParser(limits: HTTPHeadLimits(maxLineLength: 1 << 16, maxHeaderCount: 1000, maxHeadSize: 1 << 20))
    private var decoder: FrameDecoder
    private var input = InputBuffer()
    private var fragments: [UInt8] = []
    private var fragmentKind: Message.Kind?
    private var fragmentIsOpaque = false
    private var bodyLeft: Int?

    init(writer: Role) {
        self.writer = writer
        decoder = FrameDecoder(role: writer == .client ? .server : .client, maxFrameSize: Int.max)
    }

    /// Whether the head was a `101 Switching Protocols` response (server) or a request (client).
    var isUpgraded: Bool {
        guard let head else { return false }
        return writer == .client || head.startLine.hasPrefix("HTTP/1.1 101 ")
    }

    /// Feeds the connection's next output; throws at the first malformed byte.
    mutating func receive(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard !bytes.isEmpty else { return }
        var frameBytes = bytes[...]
        if head == nil {
            do {
                head = try headParser.parse(bytes)
            } catch {
                throw FuzzFailure("the connection wrote a malformed HTTP head: \(error)")
            }
            guard head != nil else { return }
            frameBytes = headParser.takeRemainder()[...]
            if !isUpgraded { bodyLeft = try Self.contentLength(of: head!) }
        }
        if let left = bodyLeft {
            bodyLeft = Swift.max(0, left - frameBytes.count)
            trailingCount += Swift.max(0, frameBytes.count - left)
            return
        }
        if closePayload != nil {
            trailingCount += frameBytes.count
            return
        }
        input.append(contentsOf: frameBytes)
        while closePayload == nil {
            let frame: Frame?
            do {
                frame = try decoder.decode(from: &input)
            } catch {
                throw FuzzFailure("the connection wrote a malformed frame: \(error)")
            }
            guard let frame else { break }
            try handle(frame)
        }
        trailingCount += closePayload == nil ? 0 : input.readableCount
    }

    private mutating func handle(_ frame: Frame) throws(FuzzFailure) {
        var frame = frame
        if var stack = extensions, !stack.isEmpty, !frame.isControl {
            do {
                frame = try stack.decode(frame, context: DecodingContext(maxPayloadSize: Int.max))
            } catch {
                throw FuzzFailure("the peer's extensions cannot decode our frame: \(error)")
            }
            extensions = stack
        }
        try require(frame.reservedBits.isSubset(of: ownedBits), "the connection sent RSV bits no extension owns")
        if frame.isControl {
            try require(frame.reservedBits.isEmpty, "the connection sent a control frame with RSV bits")
        }
        switch frame.opcode {
        case .close:
            try Self.checkClosePayload(frame.payload)
            closePayload = frame.payload
        case .ping:
            break
        case .pong:
            pongs.append(frame.payload)
        case .text, .binary:
            try require(fragmentKind == nil, "the connection interleaved two messages")
            fragmentKind = frame.opcode == .text ? .text : .binary
            fragmentIsOpaque = !frame.reservedBits.isEmpty
            fragments = frame.payload
            try finishMessage(if: frame.isFinal)
        case .continuation:
            try require(fragmentKind != nil, "the connection sent a continuation without a message")
            fragments += frame.payload
            try finishMessage(if: frame.isFinal)
        default:
            try require(ownedOpcodes.contains(frame.opcode), "the connection sent reserved opcode \(frame.opcode)")
        }
    }

    private mutating func finishMessage(if isFinal: Bool) throws(FuzzFailure) {
        guard isFinal, let kind = fragmentKind else { return }
        if fragmentIsOpaque {
            messages.append(nil)
        } else {
            if kind == .text {
                try require(UTF8Validator.isValid(fragments), "the connection sent a text message that is not UTF-8")
            }
            messages.append(kind == .text ? .text(String(decoding: fragments, as: UTF8.self)) : .binary(fragments))
        }
        fragmentKind = nil
        fragments = []
    }

    /// RFC 6455 §5.5.1, §7.4: empty, or a code that may be sent plus at most 123 bytes of UTF-8.
    static func checkClosePayload(_ payload: [UInt8]) throws(FuzzFailure) {
        guard !payload.isEmpty else { return }
        try require(payload.count >= 2, "the connection sent a 1-byte close payload")
        let code = CloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        try require(code.mayBeSent, "the connection sent close code \(code.rawValue), which may not be sent")
        try require(UTF8Validator.isValid(Array(payload.dropFirst(2))), "the connection sent a close reason that is not UTF-8")
    }

    /// The body length of a rejection response: it must state one (we write `Content-Length`).
    static func contentLength(of head: HTTPHead) throws(FuzzFailure) -> Int {
        if head.startLine.hasPrefix("HTTP/1.1 204 ") || head.startLine.hasPrefix("HTTP/1.1 304 ") { return 0 }
        guard let value = head.headers.first("Content-Length"), let length = Int(value), length >= 0 else {
            throw FuzzFailure("a rejection response without a valid Content-Length: \(head.startLine)")
        }
        return length
    }
}
