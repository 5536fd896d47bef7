import Testing
@testable import WebSocketFraming

/// An independent reference: the WHATWG "UTF-8 decoder" algorithm, which reports an error at the
/// first byte that cannot continue a well-formed sequence. Returns that byte's index, or `nil`
/// when `bytes` is a valid prefix.
func firstInvalidIndex(_ bytes: [UInt8]) -> Int? {
    var needed = 0, lower: UInt8 = 0x80, upper: UInt8 = 0xBF
    for (index, byte) in bytes.enumerated() {
        if needed == 0 {
            switch byte {
            case 0x00...0x7F: continue
            case 0xC2...0xDF: needed = 1
            case 0xE0...0xEF:
                if byte == 0xE0 { lower = 0xA0 }
                if byte == 0xED { upper = 0x9F }
                needed = 2
            case 0xF0...0xF4:
                if byte == 0xF0 { lower = 0x90 }
                if byte == 0xF4 { upper = 0x8F }
                needed = 3
            default: return index
            }
        } else {
            guard byte >= lower && byte <= upper else { return index }
            (lower, upper) = (0x80, 0xBF)
            needed -= 1
        }
    }
    return nil
}

/// Validates one byte per call and returns the index of the first call that returned `false`.
func failureIndexBytewise(_ bytes: [UInt8]) -> Int? {
    var validator = UTF8Validator()
    for index in bytes.indices where !validator.validate([bytes[index]]) { return index }
    return nil
}

/// A random byte string that is mostly UTF-8: random scalars from every length class, ASCII
/// runs long enough for the fast path, and sometimes a few corrupting edits.
func randomText(using random: inout SeededGenerator) -> [UInt8] {
    var bytes: [UInt8] = []
    let pieces = Int.random(in: 0...12, using: &random)
    for _ in 0..<pieces {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: bytes += Array(repeating: UInt8(ascii: "a"), count: Int.random(in: 1...70, using: &random))
        case 1: bytes += Array(String(UnicodeScalar(UInt8.random(in: 0x80...0xFF, using: &random))).utf8)
        case 2: bytes += Array(String(UnicodeScalar(UInt32.random(in: 0x800...0xD7FF, using: &random))!).utf8)
        case 3: bytes += Array(String(UnicodeScalar(UInt32.random(in: 0xE000...0xFFFF, using: &random))!).utf8)
        default: bytes += Array(String(UnicodeScalar(UInt32.random(in: 0x10000...0x10FFFF, using: &random))!).utf8)
        }
    }
    let interesting: [UInt8] = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
                                0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFE, 0xFF]
    for _ in 0..<Int.random(in: 0...2, using: &random) where !bytes.isEmpty {
        let index = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes[index] = interesting.randomElement(using: &random)!
        case 1: bytes.insert(interesting.randomElement(using: &random)!, at: index)
        default: bytes.remove(at: index)
        }
    }
    return bytes
}

@Suite("RFC 6455 §8.1 Handling Errors in UTF-8-Encoded Data")
struct UTF8ValidatorTests {
    static let valid: [(String, String)] = [
        ("empty", ""),
        ("κόσμε (Autobahn 6.2)", "ce ba e1 bd b9 ce bc ce b5"),
        ("U+0000", "00"), ("U+007F", "7f"), ("U+0080", "c2 80"), ("U+07FF", "df bf"),
        ("U+0800", "e0 a0 80"), ("U+D7FF", "ed 9f bf"), ("U+E000", "ee 80 80"), ("U+FFFD", "ef bf bd"),
        ("U+FFFE noncharacter", "ef bf be"), ("U+FFFF noncharacter", "ef bf bf"),
        ("U+10000", "f0 90 80 80"), ("U+10FFFF", "f4 8f bf bf"), ("U+FDD0 noncharacter", "ef b7 90"),
        ("Hello-µ@ßöäüàá-UTF-8!! (Autobahn 6.1.3)", "48 65 6c 6c 6f 2d c2 b5 40 c3 9f c3 b6 c3 a4 c3 bc c3 a0 c3 a1 2d 55 54 46 2d 38 21 21"),
    ]

    /// Invalid inputs with the index of the byte at which validation must fail.
    static let invalid: [(String, String, Int)] = [
        ("surrogate inside κόσμε (Autobahn 6.3.1)", "ce ba e1 bd b9 ce bc ce b5 ed a0 80 65 64 69 74 65 64", 10),
        ("lone continuation 80", "80", 0), ("lone continuation bf", "bf", 0), ("continuations 80 bf 80", "80 bf 80", 0),
        ("5-byte form", "f8 88 80 80 80", 0), ("6-byte form", "fc 84 80 80 80 80", 0),
        ("fe", "fe", 0), ("ff", "ff", 0), ("fe fe ff ff", "fe fe ff ff", 0),
        ("overlong / as c0 af", "c0 af", 0), ("overlong / as e0 80 af", "e0 80 af", 1),
        ("overlong / as f0 80 80 af", "f0 80 80 af", 1), ("overlong / as f8 80 80 80 af", "f8 80 80 80 af", 0),
        ("max overlong c1 bf", "c1 bf", 0), ("max overlong e0 9f bf", "e0 9f bf", 1),
        ("max overlong f0 8f bf bf", "f0 8f bf bf", 1), ("overlong NUL c0 80", "c0 80", 0),
        ("U+D800", "ed a0 80", 1), ("U+DB7F", "ed ad bf", 1), ("U+DB80", "ed ae 80", 1), ("U+DBFF", "ed af bf", 1),
        ("U+DC00", "ed b0 80", 1), ("U+DF80", "ed be 80", 1), ("U+DFFF", "ed bf bf", 1),
        ("surrogate pair", "ed a0 80 ed b0 80", 1),
        ("U+110000", "f4 90 80 80", 1), ("U+1FFFFF", "f7 bf bf bf", 0), ("f5", "f5 80 80 80", 0),
        ("lonely 2-byte start then space", "c2 20", 1), ("lonely 3-byte start then space", "e1 20", 1),
        ("lonely 4-byte start then space", "f1 20", 1), ("3-byte missing last then ASCII", "e1 80 41", 2),
        ("4-byte missing last then lead", "f0 90 80 c2 80", 3),
        ("invalid after a long ASCII run", String(repeating: "41 ", count: 100) + "ff", 100),
        ("invalid after ASCII and Greek", String(repeating: "41 ce ba ", count: 40) + "ce 41", 121),
    ]

    /// Valid prefixes that are not complete: `validate` says `true`, `isValid` says `false`.
    static let truncated: [String] = ["c2", "df", "e0", "e0 a0", "ed 9f", "ef bf", "f0", "f0 90", "f0 90 80",
                                      "f4 8f bf", "41 42 c3"]

    @Test("valid sequences, including boundary code points and noncharacters", arguments: valid)
    func validSequences(name: String, bytes: String) {
        let bytes = hex(bytes)
        #expect(UTF8Validator.isValid(bytes), "\(name)")
        var validator = UTF8Validator()
        #expect(validator.validate(bytes) == true)
        #expect(validator.isAtCharacterBoundary && !validator.hasFailed)
    }

    @Test("invalid sequences fail exactly at the first offending byte", arguments: invalid)
    func invalidSequences(name: String, bytes: String, failureIndex: Int) {
        let bytes = hex(bytes)
        #expect(!UTF8Validator.isValid(bytes), "\(name)")
        #expect(failureIndexBytewise(bytes) == failureIndex, "\(name)")
        #expect(firstInvalidIndex(bytes) == failureIndex, "reference disagrees on \(name)")
        var validator = UTF8Validator()
        #expect(validator.validate(bytes) == false)
        #expect(validator.hasFailed && !validator.isAtCharacterBoundary)
    }

    @Test("truncated sequences are valid prefixes but not complete", arguments: truncated)
    func truncatedSequences(bytes: String) {
        let bytes = hex(bytes)
        var validator = UTF8Validator()
        #expect(validator.validate(bytes) == true)
        #expect(!validator.isAtCharacterBoundary && !validator.hasFailed)
        #expect(!UTF8Validator.isValid(bytes))
    }

    @Test("every stray continuation byte and every never-valid byte fails alone")
    func singleBytes() {
        for byte in UInt8(0x80)...UInt8(0xBF) { #expect(!UTF8Validator.isValid([byte])) }
        for byte: UInt8 in [0xC0, 0xC1, 0xF5, 0xF6, 0xF7, 0xF8, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF] {
            #expect(failureIndexBytewise([byte]) == 0)
        }
        for byte in UInt8(0x00)...UInt8(0x7F) { #expect(UTF8Validator.isValid([byte])) }
    }

    @Test("a code point split across two calls is accepted at every split point")
    func splitCodePoints() {
        let text = hex("ce ba e1 bd b9 ce bc ce b5 c2 80 e0 a0 80 f0 90 80 80 f4 8f bf bf ef bf bf")
        for split in 0...text.count {
            var validator = UTF8Validator()
            #expect(validator.validate(text, range: 0..<split) == true)
            #expect(validator.validate(text, range: split..<text.count) == true)
            #expect(validator.isAtCharacterBoundary, "split at \(split)")
        }
    }

    @Test("failure is sticky until reset")
    func stickyFailure() {
        var validator = UTF8Validator()
        #expect(validator.validate([0xFF]) == false)
        #expect(validator.validate(Array("fine".utf8)) == false)
        #expect(validator.validate([]) == false)
        #expect(validator.hasFailed)
        validator.reset()
        let fine = validator.validate(Array("fine".utf8))
        #expect(fine && validator.isAtCharacterBoundary)
    }

    @Test("slice and range overloads agree with the array form")
    func overloads() {
        let bytes = Array("xx κόσμε yy".utf8)
        var a = UTF8Validator(), b = UTF8Validator(), c = UTF8Validator()
        #expect(a.validate(bytes, range: 2..<(bytes.count - 2)) == true)
        #expect(b.validate(bytes[2..<(bytes.count - 2)]) == true)
        #expect(c.validate(Array(bytes[2..<(bytes.count - 2)])) == true)
        #expect(a.state == b.state && b.state == c.state)
        var d = UTF8Validator()
        let prefixValid = d.validate(bytes, range: 0..<4)
        #expect(prefixValid && !d.isAtCharacterBoundary)  // ends inside κ
    }

    @Test("agrees with the standard library on thousands of random byte strings")
    func differentialAgainstStandardLibrary() {
        var random = SeededGenerator(seed: 0x0711)
        var invalidCount = 0
        for _ in 0..<5000 {
            let bytes = randomText(using: &random)
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(UTF8Validator.isValid(bytes) == expected, "\(bytes)")
            if !expected { invalidCount += 1 }
        }
        #expect(invalidCount > 500)  // the generator exercises both outcomes
    }

    @Test("fails at the same byte as the reference, and chunked equals whole")
    func differentialFailureIndex() {
        var random = SeededGenerator(seed: 0xFA11)
        for _ in 0..<3000 {
            let bytes = randomText(using: &random)
            let expectedIndex = firstInvalidIndex(bytes)
            #expect(failureIndexBytewise(bytes) == expectedIndex, "\(bytes)")
            // Two random chunks: the verdict after the first is about its prefix only.
            let split = Int.random(in: 0...bytes.count, using: &random)
            var validator = UTF8Validator()
            let firstOK = validator.validate(bytes, range: 0..<split)
            #expect(firstOK == (expectedIndex.map { $0 >= split } ?? true))
            let secondOK = validator.validate(bytes, range: split..<bytes.count)
            #expect(secondOK == (expectedIndex == nil))
        }
    }

    @Test("the fast path equals its safe byte-wise twin state by state")
    func differentialAgainstBytewiseTwin() {
        var random = SeededGenerator(seed: 0x7717)
        for _ in 0..<3000 {
            let bytes = randomText(using: &random) + randomText(using: &random)
            var fast = UTF8Validator(), safe = UTF8Validator()
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + Int.random(in: 1...80, using: &random))
                let fastResult = fast.validate(bytes, range: offset..<end)
                let safeResult = safe.validateBytewise(bytes, range: offset..<end)
                #expect(fastResult == safeResult)
                #expect(fast.state == safe.state, "\(bytes) at \(offset)..<\(end)")
                offset = end
            }
        }
    }

    /// Long multi-byte text (no ASCII runs to skip), with at most one corruption anywhere,
    /// so that a vector kernel handles most of it: every verdict and state must equal the
    /// byte-wise automaton's, whole and in chunks. Runs every kernel this CPU has (the Swift
    /// SIMD one everywhere; SSSE3 and AVX2 table lookups on x86-64, NEON on AArch64, which
    /// `Tests/CSIMD` also checks under qemu on other machines).
    @Test("each vector kernel equals the byte-wise automaton on long non-ASCII text",
          arguments: UTF8Validator.availableKernels)
    func vectorPathAgainstBytewiseTwin(kernel: UTF8Validator.VectorKernel) {
        var random = SeededGenerator(seed: 0x51AD)
        let interesting: [UInt8] = [0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
                                    0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var invalidCount = 0
        for round in 0..<1500 {
            var bytes: [UInt8] = []
            while bytes.count < Int.random(in: 64...700, using: &random) {
                let scalar: UInt32 = switch Int.random(in: 0..<5, using: &random) {
                case 0: UInt32.random(in: 0x80...0x7FF, using: &random)
                case 1: UInt32.random(in: 0x800...0xD7FF, using: &random)
                case 2: UInt32.random(in: 0xE000...0xFFFF, using: &random)
                case 3: UInt32.random(in: 0x10000...0x10FFFF, using: &random)
                default: UInt32.random(in: 0x20...0x7E, using: &random)
                }
                bytes += Array(String(UnicodeScalar(scalar)!).utf8)
            }
            if round % 3 != 0 {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = interesting.randomElement(using: &random)!
                case 1: bytes.insert(interesting.randomElement(using: &random)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            if !expected { invalidCount += 1 }
            #expect(UTF8Validator.isValid(bytes) == expected, "\(bytes)")
            var whole = UTF8Validator()
            let wholeVerdict = whole.validate(bytes, range: 0..<bytes.count, kernel: kernel) && whole.isAtCharacterBoundary
            #expect(wholeVerdict == expected, "\(bytes)")
            var fast = UTF8Validator(), safe = UTF8Validator()
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + Int.random(in: 1...300, using: &random))
                #expect(fast.validate(bytes, range: offset..<end, kernel: kernel) == safe.validateBytewise(bytes, range: offset..<end))
                #expect(fast.state == safe.state, "\(bytes) at \(offset)..<\(end)")
                offset = end
            }
        }
        #expect(invalidCount > 300)  // both outcomes are exercised
    }

    /// Every rule of Unicode table 3-7, broken (and just kept) once in long Greek text, at
    /// every offset across two vectors: random corruption seldom breaks one rule alone (a
    /// lone surrogate needs ED followed by A0...BF, and nothing else wrong).
    @Test("each vector kernel finds every ill-formed sequence at every offset",
          arguments: UTF8Validator.availableKernels)
    func vectorKernelsKnowEveryRule(kernel: UTF8Validator.VectorKernel) {
        let invalid: [[UInt8]] = [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
            [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF4, 0xBF, 0xBF, 0xBF], [0xF5, 0x80, 0x80, 0x80],
            [0xF7, 0xBF, 0xBF, 0xBF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0x80], [0xBF],
            [0xC2, 0x41], [0xE2, 0x82, 0x41], [0xF0, 0x9F, 0x98, 0x41], [0xC2, 0x80, 0x80],
            [0xE2, 0x82, 0xAC, 0xAC], [0xF0, 0x9F, 0x98, 0x80, 0x80], [0xE2, 0xC2, 0x80], [0x41, 0x80],
        ]
        let valid: [[UInt8]] = [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF3, 0xBF, 0xBF, 0xBF],
        ]
        let greek = Array(String(repeating: "κόσμε ", count: 40).utf8)
        for (sequences, expected) in [(invalid, false), (valid, true)] {
            for sequence in sequences {
                for offset in 64..<(64 + 64) {
                    // Keep the background whole: plant the sequence at a character boundary.
                    var at = offset
                    while greek[at] & 0xC0 == 0x80 { at += 1 }
                    let bytes = Array(greek[..<at]) + sequence + Array(greek[at...])
                    var validator = UTF8Validator()
                    let verdict = validator.validate(bytes, range: 0..<bytes.count, kernel: kernel) && validator.isAtCharacterBoundary
                    #expect(verdict == expected, "\(sequence) at \(at)")
                }
            }
        }
    }

    /// The default path picks the fastest kernel: a table lookup in C on x86-64 and AArch64.
    @Test func theBestKernelIsChosenByDefault() {
        #if arch(x86_64)
        #expect(UTF8Validator.bestKernel != .portable)
        #elseif arch(arm64)
        #expect(UTF8Validator.bestKernel == .neon)
        #endif
        #expect(UTF8Validator.availableKernels.last == UTF8Validator.bestKernel)
        let greek = Array(String(repeating: "κόσμε ", count: 100).utf8)
        #expect(UTF8Validator.isValid(greek))
        #expect(!UTF8Validator.isValid(greek + [0xCE] + greek))
    }

    @Test("long inputs exercise the ASCII fast path around multi-byte text")
    func longInputs() {
        let text = String(repeating: "plain ASCII text that is long enough, ", count: 30) + "κόσμε 日本語 🎉"
            + String(repeating: "more ASCII after it ", count: 30)
        #expect(UTF8Validator.isValid(Array(text.utf8)))
        var broken = Array(text.utf8)
        broken[broken.count - 100] = 0xC0
        #expect(!UTF8Validator.isValid(broken))
        #expect(failureIndexBytewise(broken) == broken.count - 100)
    }
}
