/// What one connection's permessage-deflate uses in each direction, once negotiated
/// (RFC 7692 §7.1), plus the local compression knobs.
///
/// "Outgoing" is what we send (our compressor), "incoming" what the peer sends (our
/// decompressor), whatever the role: for a client, outgoing is the `client_*` parameters; for a
/// server, the `server_*` ones.
public struct DeflateSettings: Hashable, Sendable {
    /// The largest LZ77 window our compressor may use, as a base-2 logarithm, 8 through 15
    /// (RFC 7692 §7.1.2). 8 is honoured with zlib's run-length mode at 9 bits, whose matches
    /// never reach further back than one byte.
    public var outgoingMaxWindowBits: Int
    /// Whether our compressor starts every message with an empty window (RFC 7692 §7.1.1).
    public var outgoingNoContextTakeover: Bool
    /// The largest window the peer agreed to compress with. Informational: we always inflate
    /// with a 15-bit window, which decodes any peer.
    public var incomingMaxWindowBits: Int
    /// Whether the peer agreed to start every message with an empty window; we then reset our
    /// decompressor per message, so a message that refers back fails with 1007.
    public var incomingNoContextTakeover: Bool
    /// zlib's compression level, 0 (store) through 9 (smallest).
    public var compressionLevel: Int
    /// zlib's `memLevel`, 1 through 9: memory for the match finder.
    public var memoryLevel: Int
    /// Messages smaller than this many bytes, sent in one frame, go uncompressed.
    public var compressionThreshold: Int

    /// Creates settings. Values out of range are clamped: windows to 8...15, the level to 0...9,
    /// the memory level to 1...9, the threshold to 0 or more.
    /// - Parameters:
    ///   - outgoingMaxWindowBits: our compressor's largest window; 15 by default.
    ///   - outgoingNoContextTakeover: reset our compressor per message; `false` by default.
    ///   - incomingMaxWindowBits: the peer's largest window; 15 by default.
    ///   - incomingNoContextTakeover: reset our decompressor per message; `false` by default.
    ///   - compressionLevel: zlib's level; 6 by default.
    ///   - memoryLevel: zlib's memory level; 8 by default.
    ///   - compressionThreshold: the smallest message compressed; 128 by default.
    public init(
        outgoingMaxWindowBits: Int = 15,
        outgoingNoContextTakeover: Bool = false,
        incomingMaxWindowBits: Int = 15,
        incomingNoContextTakeover: Bool = false,
        compressionLevel: Int = PerMessageDeflate.defaultCompressionLevel,
        memoryLevel: Int = PerMessageDeflate.defaultMemoryLevel,
        compressionThreshold: Int = PerMessageDeflate.defaultCompressionThreshold
    ) {
        self.outgoingMaxWindowBits = min(max(outgoingMaxWindowBits, 8), 15)
        self.outgoingNoContextTakeover = outgoingNoContextTakeover
        self.incomingMaxWindowBits = min(max(incomingMaxWindowBits, 8), 15)
        self.incomingNoContextTakeover = incomingNoContextTakeover
        self.compressionLevel = min(max(compressionLevel, 0), 9)
        self.memoryLevel = min(max(memoryLevel, 1), 9)
        self.compressionThreshold = max(compressionThreshold, 0)
    }

    /// The bytes of memory our compressor holds once the first compressed message is sent,
    /// from zlib's formula `(1 << (windowBits + 2)) + (1 << (memLevel + 9))` plus about 6 KiB of
    /// state. 262 KiB at the defaults.
    public var compressorMemory: Int {
        let windowBits = max(outgoingMaxWindowBits, 9)
        return (1 << (windowBits + 2)) + (1 << (memoryLevel + 9)) + (6 << 10)
    }

    /// The bytes of memory our decompressor holds once the first compressed message arrives:
    /// a 32 KiB window plus about 7 KiB of state.
    public static let decompressorMemory = (1 << 15) + (7 << 10)
}
