/// The 32-bit masking key of a client-to-server frame (RFC 6455 §5.3).
///
/// "The masking key is a 32-bit value chosen at random by the client." Byte `i` of a payload is
/// masked with `key[i MOD 4]` (§5.3: "j = i MOD 4; transformed-octet-i = original-octet-i XOR
/// masking-key-octet-j").
public struct MaskingKey: Hashable, Sendable, CustomStringConvertible {
    /// The four key bytes in wire order, `b0` in the most significant byte.
    @usableFromInline
    let value: UInt32

    /// Creates a key from its four bytes in wire order.
    /// - Parameters:
    ///   - b0: the first key byte on the wire (masks payload bytes 0, 4, 8, ...).
    ///   - b1: the second key byte.
    ///   - b2: the third key byte.
    ///   - b3: the fourth key byte.
    @inlinable
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        value = UInt32(b0) << 24 | UInt32(b1) << 16 | UInt32(b2) << 8 | UInt32(b3)
    }

    /// Draws a fresh key from `generator`.
    ///
    /// RFC 6455 §5.3: "The masking key needs to be unpredictable; thus, the masking key MUST be
    /// derived from a strong source of entropy, and the masking key for a given frame MUST NOT
    /// make it simple for a server or proxy to predict the masking key for a subsequent frame."
    /// Draw one key per frame; pass a seeded generator only in tests.
    /// - Parameter generator: the source of randomness.
    @inlinable
    public init<G: RandomNumberGenerator>(using generator: inout G) {
        value = generator.next()
    }

    /// A fresh key from `SystemRandomNumberGenerator` (RFC 6455 §5.3: a new unpredictable key
    /// for every frame).
    @inlinable
    public static func random() -> MaskingKey {
        var generator = SystemRandomNumberGenerator()
        return MaskingKey(using: &generator)
    }

    /// The key byte that masks payload byte `index` (RFC 6455 §5.3: "j = i MOD 4").
    ///
    /// `index` is taken modulo 4, so `key[0..<4]` are the four key bytes in wire order and
    /// `key[i]` is the byte that masks payload byte `i` of a frame.
    @inlinable
    public subscript(index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value >> (24 &- 8 &* UInt32(truncatingIfNeeded: index & 3)))
    }

    /// The four key bytes in wire order (RFC 6455 §5.2 "Masking-key: 0 or 4 bytes").
    public var bytes: [UInt8] { [self[0], self[1], self[2], self[3]] }

    /// The key as eight hex digits in wire order, e.g. `37fa213d`.
    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The 64-bit word that masks eight payload bytes in memory order when the first of them
    /// is byte `phase` of the masking pattern; in host byte order, ready to XOR with a word
    /// loaded from memory.
    @inlinable
    func wordPattern(phase: Int) -> UInt64 {
        // Little-endian value whose memory bytes are key[0], key[1], key[2], key[3].
        let littleEndian = value.byteSwapped
        let shift = UInt32(truncatingIfNeeded: (phase & 3) &* 8)
        let rotated = littleEndian.rotatedRight(by: shift)
        let word = UInt64(rotated) | UInt64(rotated) << 32
        return UInt64(littleEndian: word)
    }
}

extension UInt32 {
    /// Rotates right by `shift` bits (`shift` in 0..<32).
    @inlinable
    func rotatedRight(by shift: UInt32) -> UInt32 {
        shift == 0 ? self : (self >> shift) | (self << (32 &- shift))
    }
}
