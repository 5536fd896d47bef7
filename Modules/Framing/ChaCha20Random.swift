/// A cryptographically secure generator for masking keys: the ChaCha20 keystream (RFC 8439
/// §2.3), keyed from `SystemRandomNumberGenerator` and re-keyed from it every 1 MiB of output.
///
/// RFC 6455 §5.3: "The masking key needs to be unpredictable; thus, the masking key MUST be
/// derived from a strong source of entropy". The system generator is one, but it costs a system
/// call (`getrandom`) per call on Linux, once per frame a client sends: at a few hundred
/// thousand frames per second that call is a visible part of the client's time. ChaCha20 keyed
/// with 256 random bits is as unpredictable to the peer and costs about 1 ns per key. A fresh
/// key every 16,384 blocks bounds what any one key ever produces.
///
/// A copy does not repeat its original: a system-keyed generator that finds it shares its state
/// with a copy takes a fresh key from the system before its next draw, so a copied client
/// `Connection` (a value) and its original never send the same masking keys. Copies of a
/// generator with a given key (test vectors) stay identical.
///
/// The block function is checked against RFC 8439's test vector (FramingTests).
public struct ChaCha20Random: RandomNumberGenerator, Sendable {
    /// What tells a copy from its original: one instance per key stream, shared only by copies.
    private final class Owner: Sendable {}

    /// Blocks produced under one key before the next is drawn from the system (1 MiB).
    static let blocksPerKey: UInt32 = 16_384

    private var key: SIMD8<UInt32>
    private var nonce: SIMD3<UInt32>
    private var counter: UInt32
    private var block = SIMD16<UInt32>()
    /// The next unused 64-bit word of `block` (8: the block is spent).
    private var index = 8
    /// Whether the key came from the system (re-keyed) or was given (a test vector, fixed).
    private let rekeys: Bool
    /// The key stream's owner, nil before the first system key: referenced twice once this
    /// generator was copied, after which the next draw re-keys (the first copy to draw).
    private var owner: Owner?

    /// A generator keyed from the system's generator when it is first used (a server, which
    /// never masks, never pays for the key).
    public init() {
        key = SIMD8()
        nonce = SIMD3()
        counter = Self.blocksPerKey
        rekeys = true
    }

    /// A generator with a fixed key, nonce and first block counter (RFC 8439 §2.3's inputs), for
    /// test vectors; it never re-keys.
    package init(key: SIMD8<UInt32>, nonce: SIMD3<UInt32>, counter: UInt32) {
        self.key = key
        self.nonce = nonce
        self.counter = counter
        rekeys = false
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        // RFC 6455 §5.3: the key "MUST be derived from a strong source of entropy": a copy
        // must not replay its original's stream, which the peer may have seen.
        if rekeys && !isKnownUniquelyReferenced(&owner) { rekey() }
        if index == 8 { refill() }
        defer { index &+= 1 }
        return UInt64(block[2 &* index]) | UInt64(block[2 &* index &+ 1]) << 32
    }

    private mutating func refill() {
        if rekeys && counter == Self.blocksPerKey { rekey() }
        block = Self.block(key: key, nonce: nonce, counter: counter)
        counter &+= 1
        index = 0
    }

    private mutating func rekey() {
        var system = SystemRandomNumberGenerator()
        for lane in 0..<4 {
            let bits = system.next()
            key[2 &* lane] = UInt32(truncatingIfNeeded: bits)
            key[2 &* lane &+ 1] = UInt32(truncatingIfNeeded: bits >> 32)
        }
        let bits = system.next()
        nonce = SIMD3(UInt32(truncatingIfNeeded: bits), UInt32(truncatingIfNeeded: bits >> 32), 0)
        counter = 0
        index = 8  // what is left of the block is the old key's (and a copy's)
        owner = Owner()
    }

    /// The ChaCha20 block function (RFC 8439 §2.3): 20 rounds over the state, plus the state.
    package static func block(key: SIMD8<UInt32>, nonce: SIMD3<UInt32>, counter: UInt32) -> SIMD16<UInt32> {
        let initial = SIMD16<UInt32>(
            0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574,  // "expand 32-byte k"
            key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
            counter, nonce[0], nonce[1], nonce[2])
        var x = initial
        for _ in 0..<10 {
            // Column rounds, then diagonal rounds (§2.3).
            quarterRound(&x, 0, 4, 8, 12)
            quarterRound(&x, 1, 5, 9, 13)
            quarterRound(&x, 2, 6, 10, 14)
            quarterRound(&x, 3, 7, 11, 15)
            quarterRound(&x, 0, 5, 10, 15)
            quarterRound(&x, 1, 6, 11, 12)
            quarterRound(&x, 2, 7, 8, 13)
            quarterRound(&x, 3, 4, 9, 14)
        }
        return x &+ initial
    }

    /// The quarter round (RFC 8439 §2.1) on four words of the state.
    @inline(__always)
    static func quarterRound(_ x: inout SIMD16<UInt32>, _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        x[a] = x[a] &+ x[b]; x[d] = rotate(x[d] ^ x[a], 16)
        x[c] = x[c] &+ x[d]; x[b] = rotate(x[b] ^ x[c], 12)
        x[a] = x[a] &+ x[b]; x[d] = rotate(x[d] ^ x[a], 8)
        x[c] = x[c] &+ x[d]; x[b] = rotate(x[b] ^ x[c], 7)
    }

    @inline(__always)
    static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value << count | value >> (32 &- count)
    }
}
