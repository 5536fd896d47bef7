import Testing
import WebSocketHandshake

@Suite("RFC 3174 SHA-1")
struct SHA1Tests {
    /// RFC 3174 §7.3 TEST1, TEST2 and TEST4, plus the empty message.
    @Test(arguments: [
        ("abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("0123456701234567012345670123456701234567012345670123456701234567", 10,
         "dea356a2cddd90c7a7ecedc5ebb563934f460452"),
        ("", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ])
    func rfc3174Vectors(message: String, repeats: Int, digest: String) {
        let input = Array([[UInt8]](repeating: bytes(message), count: repeats).joined())
        #expect(hex(SHA1.hash(input)) == digest)
    }

    /// RFC 3174 §7.3 TEST3: one million "a".
    @Test func oneMillionA() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA1.hash(input)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Lengths around the 64-byte block and the 56-byte padding boundary (RFC 3174 §4): 55
    /// bytes pad in one block, 56 need a second. Digests from an independent implementation.
    @Test(arguments: [
        (1, "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"),
        (55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        (63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
        (64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
        (65, "11655326c708d70319be2610e8a57d9a5b959d3b"),
        (119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"),
        (120, "f34c1488385346a55709ba056ddd08280dd4c6d6"),
        (127, "89d95fa32ed44a7c610b7ee38517ddf57e0bb975"),
        (128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"),
    ])
    func blockBoundaries(length: Int, digest: String) {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: length)
        #expect(hex(SHA1.hash(input)) == digest)
    }

    @Test func digestIsTwentyBytes() {
        #expect(SHA1.hash([]).count == 20)
        #expect(SHA1.hash([UInt8](repeating: 7, count: 1000)).count == 20)
    }
}
