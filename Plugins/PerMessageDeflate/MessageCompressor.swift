import CZlib
import WebSocketExtensions

/// The sending half of permessage-deflate: compresses messages frame by frame (RFC 7692 §7.2.1).
///
/// A reference type so that the zlib stream is allocated once per connection; the extension
/// copies it before mutating whenever it is shared, so the extension keeps value semantics
/// (which is what makes `@unchecked Sendable` sound: a shared instance is only ever read).
final class MessageCompressor: @unchecked Sendable {
    /// The four bytes of the empty stored block that `Z_SYNC_FLUSH` ends with.
    static let flushMarker: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
    /// A compressed empty message (RFC 7692 §7.2.3.6): the header bits of an empty stored block,
    /// which the receiver completes with `00 00 ff ff`.
    static let emptyMessage: [UInt8] = [0x00]
    /// Output buffers up to this capacity are kept for the next message, so that sending small
    /// messages allocates nothing in steady state; larger ones are handed over and not kept.
    static let retainedCapacity = 16 << 10

    private var stream: ZlibStream
    private var output: [UInt8] = []
    /// Whether the stream must be reset before the next message (no context takeover).
    private let resetsPerMessage: Bool

    /// Creates the compressor.
    /// - Parameters:
    ///   - settings: the negotiated settings; uses the outgoing ones.
    /// - Throws: ``ExtensionError`` (`internalError`) when zlib cannot allocate.
    init(settings: DeflateSettings) throws(ExtensionError) {
        // RFC 7692 §7.1.2: a window of 8 bits is legal, but zlib ≥ 1.2.9 refuses it for raw
        // deflate. Run-length mode at 9 bits never emits a distance over 1, so a peer that
        // inflates with a 256-byte window decodes it exactly.
        let isEightBits = settings.outgoingMaxWindowBits <= 8
        do {
            stream = try ZlibStream.deflater(
                level: settings.compressionLevel,
                windowBits: isEightBits ? 9 : settings.outgoingMaxWindowBits,
                memoryLevel: settings.memoryLevel,
                strategy: isEightBits ? .runLength : .standard)
        } catch {
            throw ExtensionError(.internalError, "permessage-deflate: \(error)")
        }
        resetsPerMessage = settings.outgoingNoContextTakeover
    }

    private init(copying other: MessageCompressor) throws(ExtensionError) {
        do {
            stream = try other.stream.copy()
        } catch {
            throw ExtensionError(.internalError, "permessage-deflate: \(error)")
        }
        resetsPerMessage = other.resetsPerMessage
    }

    /// An independent compressor in the same state.
    func copy() throws(ExtensionError) -> MessageCompressor {
        try MessageCompressor(copying: self)
    }

    /// Compresses one frame's payload of a compressed message.
    ///
    /// Every frame ends with a sync flush, so the receiver can inflate each frame as it arrives;
    /// only the final frame drops the flush's `00 00 ff ff` (RFC 7692 §7.2.1: "Remove 4 octets
    /// (that are 0x00 0x00 0xff 0xff) from the tail end"). In a non-final frame those bytes are
    /// part of the stream and stay.
    /// - Parameters:
    ///   - payload: the application's bytes for this frame.
    ///   - isFinal: whether this frame ends the message.
    /// - Returns: the compressed payload.
    /// - Throws: ``ExtensionError`` (`internalError`) on a zlib failure.
    func compress(_ payload: [UInt8], isFinal: Bool) throws(ExtensionError) -> [UInt8] {
        defer { if isFinal && resetsPerMessage { stream.reset() } }
        if payload.isEmpty {
            // After a sync flush the stream is byte-aligned with nothing pending: a final frame
            // needs only the empty block's header byte, a non-final one nothing at all.
            return isFinal ? Self.emptyMessage : []
        }
        output.removeAll(keepingCapacity: true)
        do {
            try stream.deflate(payload, flush: Z_SYNC_FLUSH, appendingTo: &output)
        } catch {
            throw ExtensionError(.internalError, "permessage-deflate: \(error)")
        }
        if isFinal {
            guard output.count >= 4, output.suffix(4).elementsEqual(Self.flushMarker) else {
                throw ExtensionError(.internalError, "permessage-deflate: the sync flush did not end with 00 00 ff ff")
            }
            output.removeLast(4)
            if output.isEmpty { output = Self.emptyMessage }
        }
        let result = output
        if output.capacity > Self.retainedCapacity { output = [] }
        return result
    }
}
