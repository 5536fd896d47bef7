/// The SHA-1 message digest (RFC 3174), used by the opening handshake to compute
/// `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).
///
/// SHA-1 is not collision resistant; RFC 6455 uses it only to prove that the server read the
/// client's key and understands the WebSocket protocol (§1.3, §10.3), never for secrecy. Do not
/// use this type for anything else.
public enum SHA1 {
    /// Returns the 20-byte SHA-1 digest of `bytes` (RFC 3174 §6, §7).
    ///
    /// - Parameter bytes: The message; any length, including empty.
    /// - Returns: The digest H0 ‖ H1 ‖ H2 ‖ H3 ‖ H4, big-endian, 20 bytes.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var state = initialState
        var schedule = [UInt32](repeating: 0, count: 80)
        let fullBlocks = bytes.count / 64
        for block in 0..<fullBlocks {
            compress(bytes[(block * 64)..<(block * 64 + 64)], into: &state, using: &schedule)
        }
        let tail = paddedTail(Array(bytes[(fullBlocks * 64)...]), messageLength: bytes.count)
        for block in 0..<(tail.count / 64) {
            compress(tail[(block * 64)..<(block * 64 + 64)], into: &state, using: &schedule)
        }
        return state.flatMap(bigEndianBytes)
    }

    /// H0 through H4 before the first block (RFC 3174 §6.1).
    private static let initialState: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]

    /// Pads the last partial block (RFC 3174 §4): a 1 bit, zeros up to 56 mod 64 bytes, then the
    /// message length in bits as a 64-bit big-endian integer. The length is taken modulo 2^64.
    private static func paddedTail(_ tail: [UInt8], messageLength: Int) -> [UInt8] {
        var padded = tail
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        let bitLength = UInt64(truncatingIfNeeded: messageLength) &* 8
        for shift in stride(from: 56, through: 0, by: -8) {
            padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        return padded
    }

    /// Processes one 64-byte block (RFC 3174 §6.1, method 1).
    private static func compress(
        _ block: ArraySlice<UInt8>, into state: inout [UInt32], using w: inout [UInt32]
    ) {
        let base = block.startIndex
        for t in 0..<16 {
            let i = base + t * 4
            w[t] = UInt32(block[i]) << 24 | UInt32(block[i + 1]) << 16
                | UInt32(block[i + 2]) << 8 | UInt32(block[i + 3])
        }
        for t in 16..<80 {
            w[t] = rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], by: 1)
        }
        var (a, b, c, d, e) = (state[0], state[1], state[2], state[3], state[4])
        for t in 0..<80 {
            let temp = rotateLeft(a, by: 5) &+ mix(t, b, c, d) &+ e &+ constant(t) &+ w[t]
            (e, d, c, b, a) = (d, c, rotateLeft(b, by: 30), a, temp)
        }
        state[0] = state[0] &+ a
        state[1] = state[1] &+ b
        state[2] = state[2] &+ c
        state[3] = state[3] &+ d
        state[4] = state[4] &+ e
    }

    /// The logical function f(t; B, C, D) (RFC 3174 §5).
    private static func mix(_ t: Int, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 {
        switch t {
        case 0..<20: (b & c) | (~b & d)
        case 40..<60: (b & c) | (b & d) | (c & d)
        default: b ^ c ^ d
        }
    }

    /// The constant K(t) (RFC 3174 §5).
    private static func constant(_ t: Int) -> UInt32 {
        switch t {
        case 0..<20: 0x5A82_7999
        case 20..<40: 0x6ED9_EBA1
        case 40..<60: 0x8F1B_BCDC
        default: 0xCA62_C1D6
        }
    }

    /// The circular left shift S^n(X) (RFC 3174 §3).
    private static func rotateLeft(_ x: UInt32, by n: UInt32) -> UInt32 {
        (x << n) | (x >> (32 - n))
    }

    private static func bigEndianBytes(_ word: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
         UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
    }
}
