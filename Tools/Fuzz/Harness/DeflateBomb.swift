/// An endless raw DEFLATE stream (RFC 1951) that inflates to zeros at about 159:1: one
/// fixed-Huffman block holding a literal 0 and then, forever, "copy 258 bytes from distance 1"
/// (13 bits each). No zlib needed to build it, so the attack tests and seed corpora can use it.
///
/// About 6.8 MB of it inflate to 1 GiB. It never ends the block: RFC 7692 messages end with a
/// sync flush, which the receiver appends itself (§7.2.2), so a bomb need not.
public struct DeflateBomb: Sendable {
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private var started = false

    /// The bytes that inflate to `inflated` bytes (rounded up to whole matches).
    public static func compressedSize(inflating inflated: Int) -> Int {
        (10 + 8 + 13 * ((inflated + 257) / 258) + 7) / 8
    }

    /// Creates the stream at its start.
    public init() {}

    /// The next `count` bytes of the stream.
    public mutating func next(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        if !started {
            started = true
            write(0, bits: 1)          // BFINAL = 0: the block never ends
            write(1, bits: 2)          // BTYPE = 01, fixed Huffman codes
            writeCode(0b0011_0000, length: 8)  // literal 0x00
        }
        while bytes.count < count {
            while bitCount < 8 {
                writeCode(0b1100_0101, length: 8)  // length code 285: 258 bytes
                writeCode(0b00000, length: 5)      // distance code 0: distance 1
            }
            bytes.append(UInt8(truncatingIfNeeded: bitBuffer))
            bitBuffer >>= 8
            bitCount -= 8
        }
        return bytes
    }

    /// Appends `bits` bits of `value`, least significant first (header fields and extra bits).
    private mutating func write(_ value: UInt64, bits: Int) {
        bitBuffer |= value << UInt64(bitCount)
        bitCount += bits
    }

    /// Appends a Huffman code, most significant bit first (RFC 1951 §3.1.1).
    private mutating func writeCode(_ code: UInt64, length: Int) {
        for shift in stride(from: length - 1, through: 0, by: -1) {
            write((code >> UInt64(shift)) & 1, bits: 1)
        }
    }
}
