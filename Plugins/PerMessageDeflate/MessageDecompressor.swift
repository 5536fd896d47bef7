import WebSocketExtensions

/// The receiving half of permessage-deflate: decompresses messages frame by frame (RFC 7692
/// §7.2.2), within a size limit.
///
/// A reference type for the same reason as ``MessageCompressor``; the extension copies it before
/// mutating whenever it is shared.
final class MessageDecompressor: @unchecked Sendable {
    /// Always 15: a window at least as large as the peer's is all inflation needs, and 15 is the
    /// largest, so a peer that exceeds what it agreed to (zlib < 1.2.9 silently compressed with
    /// 9 bits when asked for 8) still decodes. The window is allocated on the first compressed
    /// message: 32 KiB.
    static let windowBits = 15
    /// Output buffers up to this capacity are kept for the next message; the decoded payload is
    /// copied out of them at its exact size. Larger outputs are handed over without a copy.
    static let retainedCapacity = 16 << 10

    private var stream: ZlibStream
    private var output: [UInt8] = []
    /// Compressed bytes received so far in the current message.
    private var messageInputCount = 0

    /// Creates the decompressor.
    /// - Throws: ``ExtensionError`` (`internalError`) when zlib cannot allocate.
    init() throws(ExtensionError) {
        do {
            stream = try ZlibStream.inflater(windowBits: Self.windowBits)
        } catch {
            throw ExtensionError(.internalError, "permessage-deflate: \(error)")
        }
    }

    private init(copying other: MessageDecompressor) throws(ExtensionError) {
        do {
            stream = try other.stream.copy()
        } catch {
            throw ExtensionError(.internalError, "permessage-deflate: \(error)")
        }
        messageInputCount = other.messageInputCount
    }

    /// An independent decompressor in the same state.
    func copy() throws(ExtensionError) -> MessageDecompressor {
        try MessageDecompressor(copying: self)
    }

    /// Starts a compressed message.
    /// - Parameter resetting: whether to forget the window first: the peer agreed not to use
    ///   context takeover (RFC 7692 §7.1.1), so a message that refers back is corrupt.
    func beginMessage(resetting: Bool) {
        if resetting { stream.reset() }
        messageInputCount = 0
    }

    /// Decompresses one frame's payload of a compressed message.
    ///
    /// RFC 7692 §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload
    /// of the message. Decompress the resulting data using DEFLATE." The four bytes are fed
    /// after the final frame. Two cases skip them: a message with no compressed bytes at all
    /// (accepted as empty, though RFC 7692 §7.2.3.6 sends `00`), and a message that ended its
    /// DEFLATE stream with BFINAL and nothing after it.
    /// - Parameters:
    ///   - payload: the frame's compressed bytes.
    ///   - isFinal: whether the frame ends the message.
    ///   - limit: the most decompressed bytes this frame may produce.
    /// - Returns: the decompressed bytes.
    /// - Throws: ``ExtensionError``: `messageTooBig` past `limit`, `invalidPayload` for data
    ///   that is not valid DEFLATE, `internalError` when zlib fails otherwise.
    func decompress(_ payload: [UInt8], isFinal: Bool, limit: Int) throws(ExtensionError) -> [UInt8] {
        output.removeAll(keepingCapacity: true)
        messageInputCount += payload.count
        let limit = max(0, limit)
        if !payload.isEmpty {
            try inflate(payload, limit: limit)
        }
        if isFinal && messageInputCount > 0 && !stream.isAtStreamStart {
            let decoded = output.count
            try inflate(MessageCompressor.flushMarker, limit: limit, stoppingAtBlockEnd: true)
            // RFC 7692 §7.2.1: the sender removed the 4 octets of an empty stored block, so that
            // "the last octet of the compressed data contains (possibly part of) the DEFLATE
            // header bits with the "BTYPE" bits set to 00"; appended, they end that block and
            // decode to nothing. A payload cut inside a block takes them as data instead (or
            // leaves the block unfinished).
            guard output.count == decoded, stream.isAtBlockBoundary || stream.isAtStreamStart else {
                throw ExtensionError(.invalidPayload,
                    "permessage-deflate: the message does not end with an empty stored block's header (RFC 7692 §7.2.1)")
            }
        }
        if output.capacity > Self.retainedCapacity {
            defer { output = [] }
            return output
        }
        return Array(output)
    }

    private func inflate(_ input: [UInt8], limit: Int, stoppingAtBlockEnd: Bool = false) throws(ExtensionError) {
        let outcome: ZlibStream.InflateOutcome
        do {
            outcome = try stream.inflate(input, appendingTo: &output, maxCount: limit, stoppingAtBlockEnd: stoppingAtBlockEnd)
        } catch {
            // RFC 7692 names no close code for corrupt data. Like ws (python-websockets says
            // 1002) we answer 1007: the data is "not consistent with the type of the message"
            // (RFC 6455 §7.4.1).
            let kind: ExtensionError.Kind = error.isDataError ? .invalidPayload : .internalError
            throw ExtensionError(kind, "permessage-deflate: \(error)")
        }
        guard outcome == .consumed else {
            throw ExtensionError(.messageTooBig, "permessage-deflate: the message inflates past the limit of \(limit) bytes")
        }
    }
}
