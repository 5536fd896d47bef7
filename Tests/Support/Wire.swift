import WebSocketFraming

/// Builds frames byte by byte, independently of `FrameEncoder`, so that Core tests do not
/// depend on the encoder they might be testing around.
public enum Wire {
    /// The masking key used for frames a test client sends.
    public static let testKey: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    /// Encodes one frame.
    /// - Parameters:
    ///   - opcode: the raw opcode (0x0-0xF).
    ///   - payload: the unmasked payload.
    ///   - fin: the FIN bit.
    ///   - rsv: RSV bits in header-byte position (0x40, 0x20, 0x10).
    ///   - masked: whether to mask with ``testKey`` (what a client sends).
    public static func frame(
        _ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0, masked: Bool
    ) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case 0...125:
            bytes.append(maskBit | UInt8(payload.count))
        case 126...0xFFFF:
            bytes.append(maskBit | 126)
            bytes.append(UInt8(payload.count >> 8))
            bytes.append(UInt8(payload.count & 0xFF))
        default:
            bytes.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF))
            }
        }
        guard masked else { return bytes + payload }
        bytes += testKey
        for (index, byte) in payload.enumerated() {
            bytes.append(byte ^ testKey[index % 4])
        }
        return bytes
    }

    /// A close frame payload: the code in network byte order, then the reason.
    public static func closePayload(_ code: UInt16, _ reason: [UInt8] = []) -> [UInt8] {
        [UInt8(code >> 8), UInt8(code & 0xFF)] + reason
    }
}

/// A deterministic generator (SplitMix64) so tests can predict keys.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { self.state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
