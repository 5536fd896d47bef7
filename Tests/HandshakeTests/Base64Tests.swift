import Testing
import WebSocketHandshake

@Suite("RFC 4648 Base64")
struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func encodes(plain: String, encoded: String) {
        #expect(Base64.encode(bytes(plain)) == encoded)
    }

    @Test(arguments: vectors)
    func decodes(plain: String, encoded: String) {
        #expect(Base64.decode(encoded) == bytes(plain))
    }

    @Test func roundTripsEveryByteValueAndLength() {
        let all = (0...255).map { UInt8($0) }
        for length in 0...all.count {
            let prefix = Array(all.prefix(length))
            #expect(Base64.decode(Base64.encode(prefix)) == prefix)
        }
    }

    @Test func usesTheWholeAlphabet() {
        let encoded = Base64.encode([0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8B, 0x30, 0xD3, 0x8F,
                                     0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9B, 0x71, 0xD7, 0x9F,
                                     0x82, 0x18, 0xA3, 0x92, 0x59, 0xA7, 0xA2, 0x9A, 0xAB, 0xB2, 0xDB, 0xAF,
                                     0xC3, 0x1C, 0xB3, 0xD3, 0x5D, 0xB7, 0xE3, 0x9E, 0xBB, 0xF3, 0xDF, 0xBF])
        #expect(encoded == "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    }

    /// Strict decoding (RFC 4648 §3.3, §3.5): bad characters, length, padding, pad bits.
    @Test(arguments: [
        "Zg", "Zg=", "Zm9", "Z", // length not a multiple of 4
        "Zm9v!A==", "Zm 9v", "Zm9v\n", " Zm9v", "Zm9v\r\n", // characters outside the alphabet
        "-_8=", "Zm9v_w==", // URL-safe alphabet
        "Zh==", "Zm9=", "Zm+=", // non-zero pad bits
        "====", "Z===", "Zg=a", "=Zg=", "Zg==Zm9v", "Zm=v", // misplaced padding
        "Zmé", "ÿÿ", // non-ASCII
    ])
    func rejects(invalid: String) {
        #expect(Base64.decode(invalid) == nil)
    }
}
