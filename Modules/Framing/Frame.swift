/// One WebSocket frame (RFC 6455 §5.2) as the application and extensions see it.
///
/// The payload is always unmasked: the masking key, the length encoding and the MASK bit are
/// details of ``FrameEncoder`` and ``FrameDecoder``. Defaults are honest: a frame is final unless
/// said otherwise and carries no reserved bits.
public struct Frame: Hashable, Sendable {
    /// The frame's opcode.
    public var opcode: Opcode
    /// FIN: "Indicates that this is the final fragment in a message" (RFC 6455 §5.2).
    public var isFinal: Bool
    /// RSV1-3; zero unless an extension owns them.
    public var reservedBits: ReservedBits
    /// The unmasked application data (plus extension data, if an extension is in use).
    public var payload: [UInt8]

    /// Creates a frame.
    /// - Parameters:
    ///   - opcode: the opcode.
    ///   - isFinal: the FIN bit; `true` by default.
    ///   - reservedBits: RSV1-3; empty by default.
    ///   - payload: the unmasked payload.
    @inlinable
    public init(opcode: Opcode, isFinal: Bool = true, reservedBits: ReservedBits = [], payload: [UInt8] = []) {
        self.opcode = opcode
        self.isFinal = isFinal
        self.reservedBits = reservedBits
        self.payload = payload
    }

    /// Whether this is a control frame (close, ping, pong, or a reserved control opcode).
    @inlinable public var isControl: Bool { opcode.isControl }
}
