import Testing
import WebSocketFraming

/// The masking-key generator (RFC 6455 §5.3 asks for unpredictable keys): its block function
/// must be ChaCha20's, and the stream must not repeat across blocks or generators.
@Suite("RFC 8439 ChaCha20 masking-key generator")
struct ChaCha20RandomTests {
    static let key = SIMD8<UInt32>(0x0302_0100, 0x0706_0504, 0x0b0a_0908, 0x0f0e_0d0c,
                                   0x1312_1110, 0x1716_1514, 0x1b1a_1918, 0x1f1e_1d1c)
    static let nonce = SIMD3<UInt32>(0x0900_0000, 0x4a00_0000, 0x0000_0000)

    /// RFC 8439 §2.3.2, the serialized block (little-endian words).
    static let expected: [UInt8] = [
        0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
        0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
        0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
        0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
    ]

    static func bytes(_ words: [UInt64]) -> [UInt8] {
        words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }

    @Test("the block function matches RFC 8439 §2.3.2")
    func blockFunctionTestVector() {
        let block = ChaCha20Random.block(key: Self.key, nonce: Self.nonce, counter: 1)
        let serialized = (0..<16).flatMap { lane in (0..<4).map { UInt8(truncatingIfNeeded: block[lane] >> (8 * $0)) } }
        #expect(serialized == Self.expected)
    }

    @Test("next() yields the keystream in order, block after block")
    func streamIsTheKeystream() {
        var generator = ChaCha20Random(key: Self.key, nonce: Self.nonce, counter: 1)
        let first = Self.bytes((0..<8).map { _ in generator.next() })
        #expect(first == Self.expected)
        let second = Self.bytes((0..<8).map { _ in generator.next() })
        let block2 = ChaCha20Random.block(key: Self.key, nonce: Self.nonce, counter: 2)
        #expect(second == (0..<16).flatMap { lane in (0..<4).map { UInt8(truncatingIfNeeded: block2[lane] >> (8 * $0)) } })
    }

    /// A copy of a system-keyed generator, made mid-block, shares no value with its original
    /// afterwards (a copied client `Connection` would otherwise repeat its masking keys);
    /// copies of a fixed-key generator stay the same stream.
    @Test func aCopyDoesNotRepeatItsOriginal() {
        var original = ChaCha20Random()
        _ = (0..<3).map { _ in original.next() }
        var copy = original
        let fromCopy = (0..<64).map { _ in copy.next() }
        let fromOriginal = (0..<64).map { _ in original.next() }
        #expect(Set(fromCopy).intersection(fromOriginal).count == 0)
        var again = copy  // the copy copied in turn, the new copy drawing first this time
        let fromAgain = (0..<64).map { _ in again.next() }
        let fromCopyAgain = (0..<64).map { _ in copy.next() }
        #expect(Set(fromAgain).intersection(fromCopyAgain).count == 0)

        var fixed = ChaCha20Random(key: Self.key, nonce: Self.nonce, counter: 1)
        _ = fixed.next()
        var fixedCopy = fixed
        #expect((0..<16).map { _ in fixedCopy.next() } == (0..<16).map { _ in fixed.next() })
    }

    @Test("system-keyed generators differ, and re-keying keeps the stream fresh")
    func systemKeyedGeneratorsDiffer() {
        var a = ChaCha20Random(), b = ChaCha20Random()
        let fromA = (0..<64).map { _ in a.next() }
        let fromB = (0..<64).map { _ in b.next() }
        #expect(fromA != fromB)
        #expect(Set(fromA).count == fromA.count)
        // Past one key's 16,384 blocks (8 words each) the generator re-keys and goes on.
        var seen = Set<UInt64>()
        for _ in 0..<(16_384 * 8 + 64) { seen.insert(a.next()) }
        #expect(seen.count == 16_384 * 8 + 64)
    }
}
