public import WebSocketExtensions

/// The permessage-deflate extension (RFC 7692): its configuration and its negotiation, for
/// either role.
///
/// Add it to a connection's extensions and both roles negotiate it:
///
/// ```swift
/// var configuration = Configuration()
/// configuration.extensions = [PerMessageDeflate()]
/// ```
///
/// A client offers `permessage-deflate; client_max_window_bits` by default: compression both
/// ways with 15-bit windows, and the server may shrink our window (Autobahn 13.3-13.6 accept only
/// offers that allow it). A server accepts the first of the client's offers that is well formed,
/// honouring what it asks for. The four RFC parameters mean "what we ask for", read from the
/// role's point of view; <doc:Negotiation> has the complete truth table.
///
/// Memory per connection at the defaults, once a compressed message went each way: about
/// 262 KiB for the compressor (zlib: `(1 << (windowBits + 2)) + (1 << (memLevel + 9))`, 128 KiB
/// window + 128 KiB match finder) and 39 KiB for the decompressor (`1 << 15` + ~7 KiB), plus
/// up to 16 KiB of reused output buffer each. Each is created on first use. A server with many
/// connections saves most of it with `serverMaxWindowBits: 12, memoryLevel: 5` (about 38 KiB
/// per compressor).
public struct PerMessageDeflate: ExtensionFactory {
    /// The extension token, `permessage-deflate` (RFC 7692 §7).
    public static let extensionName = "permessage-deflate"
    /// zlib's own default level (`Z_DEFAULT_COMPRESSION`), as python-websockets and ws use.
    /// Level 1 compresses JSON 2-4 times faster for about 20% more output (zlib 1.2.13, 1-128
    /// KiB messages); choose it when CPU matters more than bandwidth.
    public static let defaultCompressionLevel = 6
    /// zlib's default `memLevel`.
    public static let defaultMemoryLevel = 8
    /// 128 bytes: below that, DEFLATE's block header and Huffman tables rarely win anything back
    /// (coder/websocket uses 128, hummingbird 256, ws 1024), and skipping zlib saves time.
    public static let defaultCompressionThreshold = 128

    /// `permessage-deflate`.
    public var name: String { Self.extensionName }

    /// Client: ask the server not to use context takeover (`server_no_context_takeover`, RFC
    /// 7692 §7.1.1.1); a response without it then fails the handshake. Server: never use
    /// context takeover, and say so in every response. Saves the peer's memory, costs ratio.
    public var serverNoContextTakeover: Bool
    /// Client: don't use context takeover ourselves and say so (`client_no_context_takeover`,
    /// §7.1.1.2). Server: require the client not to use it. Default `false`: Safari 15.0-15.3
    /// ignores the parameter in responses (uWS #1347), so a server should not require it.
    public var clientNoContextTakeover: Bool
    /// Client: ask the server to compress with a window of at most this many bits
    /// (`server_max_window_bits`, §7.1.2.1). Server: compress with at most this many bits and
    /// say so. 9 through 15 (values outside are clamped; 8 is never requested because zlib
    /// cannot compress with it); `nil` for no limit (15).
    public var serverMaxWindowBits: Int?
    /// Client: compress with a window of at most this many bits and offer it as
    /// `client_max_window_bits=N` (§7.1.2.2); `nil` offers the parameter without a value, which
    /// lets the server choose. Server: ask clients that support it to compress with at most this
    /// many bits. 9 through 15, clamped.
    public var clientMaxWindowBits: Int?
    /// Client only: whether the offer includes `client_max_window_bits` at all. Default `true`;
    /// without it a server may not limit our window, and a response that does fails the
    /// handshake (§7.1.2.2).
    public var offersClientMaxWindowBits: Bool
    /// zlib's compression level, 0 (store) through 9 (smallest); default 6.
    public var compressionLevel: Int
    /// zlib's `memLevel`, 1 through 9; default 8. Each step down halves the match finder's
    /// memory (128 KiB at 8) and costs some ratio.
    public var memoryLevel: Int
    /// Messages smaller than this many bytes, sent in one frame, are sent uncompressed;
    /// default 128.
    public var compressionThreshold: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - serverNoContextTakeover: see ``serverNoContextTakeover``; `false` by default.
    ///   - clientNoContextTakeover: see ``clientNoContextTakeover``; `false` by default.
    ///   - serverMaxWindowBits: see ``serverMaxWindowBits``; `nil` (15) by default.
    ///   - clientMaxWindowBits: see ``clientMaxWindowBits``; `nil` by default.
    ///   - offersClientMaxWindowBits: see ``offersClientMaxWindowBits``; `true` by default.
    ///   - compressionLevel: zlib's level; 6 by default.
    ///   - memoryLevel: zlib's memory level; 8 by default.
    ///   - compressionThreshold: the smallest message compressed; 128 bytes by default.
    public init(
        serverNoContextTakeover: Bool = false,
        clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int? = nil,
        clientMaxWindowBits: Int? = nil,
        offersClientMaxWindowBits: Bool = true,
        compressionLevel: Int = Self.defaultCompressionLevel,
        memoryLevel: Int = Self.defaultMemoryLevel,
        compressionThreshold: Int = Self.defaultCompressionThreshold
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
        self.offersClientMaxWindowBits = offersClientMaxWindowBits
        self.compressionLevel = compressionLevel
        self.memoryLevel = memoryLevel
        self.compressionThreshold = compressionThreshold
    }

    /// ``serverMaxWindowBits`` clamped to 9...15: 8 is never asked for.
    var serverWindowLimit: Int? { serverMaxWindowBits.map { min(max($0, 9), 15) } }

    /// ``clientMaxWindowBits`` clamped to 9...15.
    var clientWindowLimit: Int? { clientMaxWindowBits.map { min(max($0, 9), 15) } }

    /// Settings for the agreed parameters, with this configuration's zlib knobs.
    func settings(
        outgoingWindowBits: Int, outgoingNoContextTakeover: Bool,
        incomingWindowBits: Int, incomingNoContextTakeover: Bool
    ) -> DeflateSettings {
        DeflateSettings(
            outgoingMaxWindowBits: outgoingWindowBits, outgoingNoContextTakeover: outgoingNoContextTakeover,
            incomingMaxWindowBits: incomingWindowBits, incomingNoContextTakeover: incomingNoContextTakeover,
            compressionLevel: compressionLevel, memoryLevel: memoryLevel,
            compressionThreshold: compressionThreshold)
    }
}
