@testable import WebSocketFraming

/// A small deterministic generator (SplitMix64) so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// Parses hex such as `"81 05 48 65"` (spaces ignored).
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Decodes every complete frame in `bytes`, appended all at once.
func decodeAll(_ bytes: [UInt8], role: Role, maxFrameSize: Int = 1 << 20) throws(FramingError) -> [Frame] {
    var decoder = FrameDecoder(role: role, maxFrameSize: maxFrameSize)
    var input = InputBuffer()
    input.append(contentsOf: bytes)
    var frames: [Frame] = []
    while let frame = try decoder.decode(from: &input) { frames.append(frame) }
    return frames
}

/// Decodes `bytes` fed in chunks of the given sizes (cycled), calling `decode` after each chunk.
func decodeChunked(
    _ bytes: [UInt8], role: Role, chunkSizes: [Int], maxFrameSize: Int = 1 << 20
) throws(FramingError) -> [Frame] {
    var decoder = FrameDecoder(role: role, maxFrameSize: maxFrameSize)
    var input = InputBuffer()
    var frames: [Frame] = []
    var offset = 0, chunk = 0
    while offset < bytes.count {
        let size = min(chunkSizes[chunk % chunkSizes.count], bytes.count - offset)
        input.append(contentsOf: bytes[offset..<(offset + size)])
        offset += size
        chunk += 1
        while let frame = try decoder.decode(from: &input) { frames.append(frame) }
    }
    return frames
}

/// The RFC 6455 §5.7 masking key `37 fa 21 3d`.
let rfcKey = MaskingKey(0x37, 0xFA, 0x21, 0x3D)
