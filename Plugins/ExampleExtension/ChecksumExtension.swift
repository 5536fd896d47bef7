public import WebSocketExtensions
public import WebSocketFraming

/// The per-connection state of `x-checksum`, a small example extension (see
/// `Plugins/WRITING_EXTENSIONS.md`).
///
/// On the wire:
/// - **Checked messages.** Every text and binary message we send ends with the CRC-32 of its
///   payload, four bytes in network byte order, appended to its final frame. Its first frame
///   carries RSV2, the extension's bit, so the receiver knows to check and strip it; RSV2 on any
///   other frame is a protocol error. Marking matters beyond this extension: the Core validates
///   the UTF-8 of unmarked text frames while they arrive, and the four checksum bytes are not
///   UTF-8.
/// - **Datagrams.** Opcode 0x3, which RFC 6455 reserves "for further non-control frames", carries
///   a third kind of message: one frame, never fragmented, never inside a fragmented message,
///   also ending with its CRC-32. The application sends one with
///   `Connection.sendExtensionFrame(_:)` and receives it as an `extensionFrame` event, checksum
///   removed. The Core knows nothing of this opcode's rules, so the extension enforces them.
///
/// A wrong checksum fails the connection with 1007; a broken framing rule with 1002.
public struct ChecksumExtension: WebSocketExtension {
    /// The datagram opcode, 0x3.
    public static let datagram = Opcode(rawValue: 0x3) ?? .binary

    private var outgoing: CRC32?
    private var incoming: CRC32?
    /// Whether the peer has a fragmented message open, checked or not.
    private var incomingFragmented = false

    /// `x-checksum`.
    public var name: String { Checksum.extensionName }
    /// RSV2 marks checked messages.
    public var reservedBits: ReservedBits { .rsv2 }
    /// The datagram opcode.
    public var opcodes: [Opcode] { [Self.datagram] }

    /// Creates the state of a new connection.
    public init() {}

    /// Appends checksums to outgoing messages and datagrams.
    /// - Parameters:
    ///   - frame: the frame from the application.
    ///   - context: unused.
    /// - Returns: the frame to send.
    public mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame {
        var encoded = frame
        switch frame.opcode {
        case .text, .binary:
            // The first frame carries the mark; the checksum goes at the end of the last.
            let checksum = CRC32(frame.payload)
            encoded.reservedBits.insert(.rsv2)
            outgoing = frame.isFinal ? nil : checksum
            if frame.isFinal { encoded.payload += checksum.bigEndianBytes }
        case .continuation:
            guard var checksum = outgoing else { return frame }
            checksum.update(with: frame.payload)
            outgoing = frame.isFinal ? nil : checksum
            if frame.isFinal { encoded.payload += checksum.bigEndianBytes }
        case Self.datagram:
            encoded.isFinal = true
            encoded.payload += CRC32(frame.payload).bigEndianBytes
        default:
            break
        }
        return encoded
    }

    /// Checks and strips the checksums of incoming messages and datagrams.
    /// - Parameters:
    ///   - frame: the frame as received.
    ///   - context: unused: this extension only shrinks payloads.
    /// - Returns: the frame without its checksum and RSV2.
    /// - Throws: ``ExtensionError``: `protocolError` for RSV2 or a datagram where they may not
    ///   be, `invalidPayload` for a wrong checksum.
    public mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame {
        let isMarked = frame.reservedBits.contains(.rsv2)
        switch frame.opcode {
        case .text, .binary:
            incomingFragmented = !frame.isFinal
            guard isMarked else {
                incoming = nil
                return frame
            }
            return try check(frame, continuing: CRC32())
        case .continuation:
            guard !isMarked else { throw Self.violation("RSV2 set on a continuation frame") }
            if frame.isFinal { incomingFragmented = false }
            guard let checksum = incoming else { return frame }
            return try check(frame, continuing: checksum)
        case Self.datagram:
            guard !isMarked else { throw Self.violation("RSV2 set on a datagram") }
            guard frame.isFinal else { throw Self.violation("a datagram must be a single frame") }
            guard !incomingFragmented else { throw Self.violation("a datagram inside a fragmented message") }
            return try check(frame, continuing: CRC32())
        default:
            guard !isMarked else { throw Self.violation("RSV2 set on a \(frame.opcode) frame") }
            return frame
        }
    }

    /// Adds a frame of a checked message to `checksum`; on the final frame, compares and strips
    /// the trailer.
    private mutating func check(_ frame: Frame, continuing checksum: CRC32) throws(ExtensionError) -> Frame {
        var checksum = checksum
        var decoded = frame
        decoded.reservedBits.remove(.rsv2)
        guard frame.isFinal else {
            checksum.update(with: frame.payload)
            incoming = checksum
            return decoded
        }
        incoming = nil
        guard frame.payload.count >= 4 else {
            throw Self.violation("the final frame is shorter than its checksum")
        }
        let body = frame.payload.dropLast(4)
        checksum.update(with: body)
        guard frame.payload.suffix(4).elementsEqual(checksum.bigEndianBytes) else {
            throw ExtensionError(.invalidPayload, "x-checksum: the CRC-32 does not match the payload")
        }
        decoded.payload = Array(body)
        return decoded
    }

    private static func violation(_ message: String) -> ExtensionError {
        ExtensionError(.protocolError, "x-checksum: \(message)")
    }
}
