/// `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.1, §4.2.2).
public enum WebSocketKey {
    /// The GUID appended to the key before hashing (RFC 6455 §1.3, §4.2.2 item 5.4).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Generates a fresh key: 16 random bytes, base64-encoded (24 characters). RFC 6455 §4.1:
    /// "The value of this header field MUST be a nonce consisting of a randomly selected 16-byte
    /// value that has been base64-encoded ... The nonce MUST be selected randomly for each
    /// connection."
    ///
    /// - Parameter generator: The source of randomness; `SystemRandomNumberGenerator` in
    ///   production, a seeded one in tests.
    /// - Returns: The key.
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var nonce: [UInt8] = []
        nonce.reserveCapacity(16)
        for _ in 0..<2 {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) {
                nonce.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return Base64.encode(nonce)
    }

    /// Generates a fresh key with `SystemRandomNumberGenerator` (RFC 6455 §4.1).
    ///
    /// - Returns: The key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// The `Sec-WebSocket-Accept` value for `key`: base64(SHA-1(key ‖ GUID)), with the key as
    /// sent, not decoded (RFC 6455 §4.2.2 item 5.4, §1.3).
    ///
    /// - Parameter key: The `Sec-WebSocket-Key` value.
    /// - Returns: The 28-character accept value.
    public static func acceptValue(for key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// Whether `key` is a valid `Sec-WebSocket-Key`: strict Base64 of exactly 16 bytes
    /// (RFC 6455 §4.1 item 7, §11.3.1).
    ///
    /// - Parameter key: The candidate key.
    public static func isValid(_ key: String) -> Bool {
        Base64.decode(key)?.count == 16
    }
}
