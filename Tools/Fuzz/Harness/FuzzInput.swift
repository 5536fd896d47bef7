/// A fuzz input read front to back: a few parameter bytes, then the data stream.
///
/// Every byte string is a valid input: reading past the end yields zeros, so the fuzzer's
/// mutations never hit a parse error of the harness itself.
public struct FuzzInput {
    let bytes: [UInt8]
    private(set) var index = 0

    /// Wraps `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next byte, or 0 past the end.
    mutating func byte() -> UInt8 {
        defer { index += 1 }
        return index < bytes.count ? bytes[index] : 0
    }

    /// The next byte as a choice among `options` (wrapping around).
    mutating func pick<T>(_ options: [T]) -> T {
        options[Int(byte()) % options.count]
    }

    /// The next two bytes, big-endian.
    mutating func uint16() -> Int {
        Int(byte()) << 8 | Int(byte())
    }

    /// Everything not read yet.
    mutating func rest() -> [UInt8] {
        defer { index = Swift.max(index, bytes.count) }
        return index < bytes.count ? Array(bytes[index...]) : []
    }
}

/// Splits a byte stream into TCP-sized chunks, deterministically from the input's own bytes, so
/// that a crash reproduces from its file alone.
struct ChunkPlan {
    /// The largest chunk, chosen by a parameter byte: from one byte at a time to all at once.
    static let maxChunkOptions = [1, 2, 3, 5, 8, 16, 64, 512, 4096, Int.max]

    let seed: UInt8
    let maxChunk: Int

    /// Reads the plan's two parameter bytes.
    init(_ input: inout FuzzInput) {
        seed = input.byte()
        maxChunk = input.pick(Self.maxChunkOptions)
    }

    init(seed: UInt8, maxChunk: Int) {
        self.seed = seed
        self.maxChunk = maxChunk
    }

    /// The stream's chunks, in order; never empty chunks.
    func chunks(of stream: [UInt8]) -> [ArraySlice<UInt8>] {
        var random = SplitMix(seed: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        while start < stream.count {
            let left = stream.count - start
            let size = maxChunk >= left ? left : 1 + Int(random.next() % UInt64(maxChunk))
            result.append(stream[start..<(start + Swift.min(size, left))])
            start += Swift.min(size, left)
        }
        return result
    }
}

/// SplitMix64: a tiny deterministic generator for chunk sizes and masking keys.
struct SplitMix: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
