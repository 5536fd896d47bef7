public import WebSocketExtensions
public import WebSocketFraming

/// The per-connection state of permessage-deflate (RFC 7692 §7): compresses outgoing data
/// messages and decompresses incoming ones, marking compressed messages with RSV1.
///
/// Created by ``PerMessageDeflate`` during negotiation; the Core calls ``encode(_:context:)`` and
/// ``decode(_:context:)`` for every frame. Control frames and frames of opcodes other than
/// text, binary and continuation pass through untouched.
///
/// The zlib streams are created on first use: a connection that never sends a compressed
/// message never pays for a compressor (see ``DeflateSettings/compressorMemory``). The value
/// is copy-on-write: a copy shares the streams until one side mutates, which then copies them.
public struct PerMessageDeflateExtension: WebSocketExtension {
    /// Where a data message stands in one direction.
    private enum MessageState {
        /// No message in progress.
        case idle
        /// A message in progress, sent or received uncompressed.
        case plain
        /// A message in progress, sent or received compressed.
        case compressed
    }

    /// The negotiated settings.
    public let settings: DeflateSettings
    private var compressor: MessageCompressor?
    private var decompressor: MessageDecompressor?
    private var outgoing = MessageState.idle
    private var incoming = MessageState.idle

    /// `permessage-deflate` (RFC 7692 §7).
    public var name: String { PerMessageDeflate.extensionName }

    /// RSV1, the "Per-Message Compressed" bit (RFC 7692 §6).
    public var reservedBits: ReservedBits { .rsv1 }

    /// Creates the extension state for settings agreed elsewhere.
    /// - Parameter settings: what was negotiated.
    public init(settings: DeflateSettings) {
        self.settings = settings
    }

    // MARK: Sending

    /// Compresses an outgoing data frame when its message is compressed (RFC 7692 §7.2.1).
    ///
    /// A message is compressed unless `context.allowsCompression` is false or it is sent in one
    /// frame smaller than ``DeflateSettings/compressionThreshold``; a fragmented message is
    /// judged by its first frame's context alone, since its size is not known yet.
    /// - Parameters:
    ///   - frame: the frame from the application.
    ///   - context: whether compression is allowed for this message.
    /// - Returns: the frame to send; the first frame of a compressed message carries RSV1.
    /// - Throws: ``ExtensionError`` (`internalError`) when zlib fails.
    public mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame {
        switch frame.opcode {
        case .text, .binary:
            let compresses = context.allowsCompression
                && (!frame.isFinal || frame.payload.count >= settings.compressionThreshold)
            outgoing = frame.isFinal ? .idle : (compresses ? .compressed : .plain)
            guard compresses else { return frame }
            var encoded = frame
            encoded.payload = try uniqueCompressor().compress(frame.payload, isFinal: frame.isFinal)
            // RFC 7692 §6: the bit goes on the first frame of the message only.
            encoded.reservedBits.insert(.rsv1)
            return encoded
        case .continuation:
            let state = outgoing
            if frame.isFinal { outgoing = .idle }
            guard state == .compressed else { return frame }
            var encoded = frame
            encoded.payload = try uniqueCompressor().compress(frame.payload, isFinal: frame.isFinal)
            return encoded
        default:
            return frame
        }
    }

    // MARK: Receiving

    /// Decompresses an incoming data frame of a compressed message (RFC 7692 §7.2.2).
    /// - Parameters:
    ///   - frame: the frame as received.
    ///   - context: `maxPayloadSize` bounds the decompressed payload.
    /// - Returns: the frame with its payload decompressed and RSV1 cleared.
    /// - Throws: ``ExtensionError``: `protocolError` for RSV1 where RFC 7692 §6 forbids it,
    ///   `messageTooBig` when the payload inflates past the limit, `invalidPayload` for corrupt
    ///   DEFLATE data.
    public mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame {
        let isMarked = frame.reservedBits.contains(.rsv1)
        switch frame.opcode {
        case .text, .binary:
            guard isMarked else {
                incoming = frame.isFinal ? .idle : .plain
                return frame
            }
            let decompressor = try uniqueDecompressor()
            decompressor.beginMessage(resetting: settings.incomingNoContextTakeover)
            incoming = frame.isFinal ? .idle : .compressed
            return try decompress(frame, with: decompressor, context: context)
        case .continuation:
            // RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control
            // frames and non-first fragments of a data message. An endpoint receiving such a
            // frame MUST _Fail the WebSocket Connection_."
            guard !isMarked else {
                throw ExtensionError(.protocolError, "permessage-deflate: RSV1 set on a continuation frame")
            }
            let state = incoming
            if frame.isFinal { incoming = .idle }
            guard state == .compressed else { return frame }
            return try decompress(frame, with: uniqueDecompressor(), context: context)
        default:
            // The same MUST covers control frames; other extensions' opcodes carry no messages.
            guard !isMarked else {
                throw ExtensionError(.protocolError, "permessage-deflate: RSV1 set on a \(frame.opcode) frame")
            }
            return frame
        }
    }

    private func decompress(
        _ frame: Frame, with decompressor: MessageDecompressor, context: DecodingContext
    ) throws(ExtensionError) -> Frame {
        var decoded = frame
        decoded.payload = try decompressor.decompress(
            frame.payload, isFinal: frame.isFinal, limit: context.maxPayloadSize)
        decoded.reservedBits.remove(.rsv1)
        return decoded
    }

    // MARK: Copy on write

    /// The compressor, created on first use and copied first if another value shares it.
    private mutating func uniqueCompressor() throws(ExtensionError) -> MessageCompressor {
        guard var shared = compressor.take() else {
            let created = try MessageCompressor(settings: settings)
            compressor = created
            return created
        }
        if !isKnownUniquelyReferenced(&shared) { shared = try shared.copy() }
        compressor = shared
        return shared
    }

    /// The decompressor, created on first use and copied first if another value shares it.
    private mutating func uniqueDecompressor() throws(ExtensionError) -> MessageDecompressor {
        guard var shared = decompressor.take() else {
            let created = try MessageDecompressor()
            decompressor = created
            return created
        }
        if !isKnownUniquelyReferenced(&shared) { shared = try shared.copy() }
        decompressor = shared
        return shared
    }
}
