import Testing
@testable import WebSocketFraming

@Suite("RFC 6455 §5.3 Client-to-Server Masking")
struct MaskingTests {
    @Test("masking key bytes, subscript modulo 4 and description")
    func maskingKey() {
        let key = MaskingKey(0x37, 0xFA, 0x21, 0x3D)
        #expect(key.bytes == [0x37, 0xFA, 0x21, 0x3D])
        #expect((0..<8).map { key[$0] } == [0x37, 0xFA, 0x21, 0x3D, 0x37, 0xFA, 0x21, 0x3D])
        #expect(key[-1] == 0x3D)
        #expect(key.description == "37fa213d")
        #expect(MaskingKey(0, 0, 0, 1).description == "00000001")
    }

    @Test("keys come from the injected generator, one per call")
    func generatedKeys() {
        var first = SeededGenerator(seed: 7), second = SeededGenerator(seed: 7)
        let a = MaskingKey(using: &first), b = MaskingKey(using: &second)
        #expect(a == b)
        #expect(MaskingKey(using: &first) != a)
        let randomKeys = Set((0..<64).map { _ in MaskingKey.random() })
        #expect(randomKeys.count > 60)
    }

    @Test("the §5.7 example: \"Hello\" masked with 37 fa 21 3d")
    func rfcExample() {
        var bytes = Array("Hello".utf8)
        Masking.apply(rfcKey, to: &bytes)
        #expect(bytes == hex("7f 9f 4d 51 58"))
        Masking.apply(rfcKey, to: &bytes)
        #expect(bytes == Array("Hello".utf8))
    }

    @Test("the word pattern matches the key bytes in memory order for every phase")
    func wordPattern() {
        let key = MaskingKey(1, 2, 3, 4)
        for phase in 0..<8 {
            var bytes = [UInt8](repeating: 0, count: 8)
            Masking.apply(key, to: &bytes, phase: phase)  // XOR with zero exposes the pattern.
            #expect(bytes == (0..<8).map { key[phase + $0] })
        }
    }

    @Test("apply: word-wise equals byte-wise for random lengths, ranges and phases")
    func applyDifferential() {
        var random = SeededGenerator(seed: 0x5EED)
        for _ in 0..<3000 {
            let key = MaskingKey(using: &random)
            let count = Int.random(in: 0...300, using: &random)
            let original = random.bytes(count)
            let lower = Int.random(in: 0...count, using: &random)
            let upper = Int.random(in: lower...count, using: &random)
            let phase = Int.random(in: -8...1000, using: &random)
            var wordwise = original, bytewise = original
            Masking.apply(key, to: &wordwise, range: lower..<upper, phase: phase)
            Masking.applyBytewise(key, to: &bytewise, range: lower..<upper, phase: phase)
            #expect(wordwise == bytewise, "count \(count) range \(lower)..<\(upper) phase \(phase)")
        }
    }

    @Test("apply on a raw buffer equals byte-wise", arguments: [0, 1, 7, 8, 31, 32, 33, 100, 257])
    func applyRawBuffer(count: Int) {
        var random = SeededGenerator(seed: UInt64(count))
        let original = random.bytes(count)
        for phase in 0..<4 {
            var wordwise = original, bytewise = original
            wordwise.withUnsafeMutableBytes { Masking.apply(rfcKey, to: $0, phase: phase) }
            Masking.applyBytewise(rfcKey, to: &bytewise, phase: phase)
            #expect(wordwise == bytewise)
        }
    }

    @Test("copyApplying: word-wise equals byte-wise, appending after existing bytes")
    func copyDifferential() {
        var random = SeededGenerator(seed: 0xC0FFEE)
        for _ in 0..<3000 {
            let key = MaskingKey(using: &random)
            let source = random.bytes(Int.random(in: 0...300, using: &random))
            let lower = Int.random(in: 0...source.count, using: &random)
            let upper = Int.random(in: lower...source.count, using: &random)
            let phase = Int.random(in: 0...1000, using: &random)
            let prefix = random.bytes(Int.random(in: 0...9, using: &random))
            var wordwise = prefix, bytewise = prefix
            if Bool.random(using: &random) { wordwise.reserveCapacity(prefix.count + upper - lower) }
            Masking.copyApplying(key, from: source, range: lower..<upper, appendingTo: &wordwise, phase: phase)
            Masking.copyApplyingBytewise(key, from: source, range: lower..<upper, appendingTo: &bytewise,
                                         phase: phase)
            #expect(wordwise == bytewise, "range \(lower)..<\(upper) phase \(phase)")
        }
    }

    @Test("copyApplying from a raw buffer equals the array form")
    func copyRawBuffer() {
        var random = SeededGenerator(seed: 3)
        let source = random.bytes(1000)
        var fromArray: [UInt8] = [], fromPointer: [UInt8] = []
        Masking.copyApplying(rfcKey, from: source, range: 3..<997, appendingTo: &fromArray, phase: 2)
        source.withUnsafeBytes {
            Masking.copyApplying(rfcKey, from: UnsafeRawBufferPointer(rebasing: $0[3..<997]),
                                 appendingTo: &fromPointer, phase: 2)
        }
        #expect(fromArray == fromPointer)
        #expect(fromArray.count == 994)
    }

    @Test("unmasking in chunks with the running phase equals unmasking at once")
    func chunkedPhase() {
        var random = SeededGenerator(seed: 11)
        let payload = random.bytes(1000)
        var masked = payload
        Masking.apply(rfcKey, to: &masked)
        var unmasked: [UInt8] = []
        var offset = 0
        while offset < masked.count {
            let end = min(masked.count, offset + Int.random(in: 1...13, using: &random))
            Masking.copyApplying(rfcKey, from: masked, range: offset..<end, appendingTo: &unmasked,
                                 phase: unmasked.count)
            offset = end
        }
        #expect(unmasked == payload)
    }

    @Test("the masked-bytes sequence's slow path (its iterator) agrees with the fast path")
    func iteratorSlowPath() {
        let source: [UInt8] = Array(0..<50)
        let viaIterator: [UInt8] = source.withUnsafeBytes { buffer in
            Array(IteratorSequence(MaskedBytes(key: rfcKey, base: buffer.baseAddress!, count: 50, phase: 1)
                .makeIterator()))
        }
        var expected = source
        Masking.applyBytewise(rfcKey, to: &expected, phase: 1)
        #expect(viaIterator == expected)
    }
}
