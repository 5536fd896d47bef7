import CWebSocketSIMD

extension UTF8Validator {
    /// A way to validate long non-ASCII runs many bytes per step. Every kernel keeps the contract
    /// of ``scanVectors(_:from:to:)`` and is tested against the automaton.
    package enum VectorKernel: Sendable, Equatable, CustomStringConvertible {
        /// ``scanVectors(_:from:to:)``: Swift SIMD bit arithmetic, 16 bytes per step, any CPU.
        case portable
        /// Table lookup in C (`CWebSocketSIMD`), 16 bytes per step, x86-64 with SSSE3.
        case ssse3
        /// Table lookup in C, 32 bytes per step, x86-64 with AVX2.
        case avx2
        /// Table lookup in C, 16 bytes per step, AArch64 (AdvSIMD `tbl`, on every AArch64 CPU).
        case neon

        package var description: String {
            switch self {
            case .portable: "portable (Swift SIMD)"
            case .ssse3: "SSSE3 table lookup"
            case .avx2: "AVX2 table lookup"
            case .neon: "NEON table lookup"
            }
        }
    }

    /// The fastest kernel this CPU runs, chosen once per process.
    package static let bestKernel: VectorKernel = {
        let best = swiftws_utf8_best_kernel()
        if best == SWIFTWS_UTF8_KERNEL_AVX2 { return .avx2 }
        if best == SWIFTWS_UTF8_KERNEL_SSSE3 { return .ssse3 }
        if best == SWIFTWS_UTF8_KERNEL_NEON { return .neon }
        return .portable
    }()

    /// Every kernel this CPU runs, slowest first: the tests hold each to the automaton.
    package static var availableKernels: [VectorKernel] {
        switch bestKernel {
        case .portable: [.portable]
        case .ssse3: [.portable, .ssse3]
        case .avx2: [.portable, .ssse3, .avx2]
        case .neon: [.portable, .neon]
        }
    }

    /// Validates whole vectors from `start` with `kernel`; the contract is
    /// ``scanVectors(_:from:to:)``'s.
    @inline(__always)
    static func scanVectors(
        _ kernel: VectorKernel, _ base: UnsafeRawPointer, from start: Int, to end: Int
    ) -> Int? {
        let native: swiftws_utf8_kernel
        switch kernel {
        case .portable: return scanVectors(base, from: start, to: end)
        case .ssse3: native = SWIFTWS_UTF8_KERNEL_SSSE3
        case .avx2: native = SWIFTWS_UTF8_KERNEL_AVX2
        case .neon: native = SWIFTWS_UTF8_KERNEL_NEON
        }
        let stop = swiftws_utf8_scan(native, base.assumingMemoryBound(to: UInt8.self), start, end)
        if stop < 0 { return nil }
        return stop == start ? start : lastBoundary(base, before: stop)
    }
}

extension UTF8Validator {
    /// The vector width of ``scanVectors(_:from:to:)``.
    static let vectorWidth = 16

    /// Below this many bytes from a character boundary, the automaton alone is faster than
    /// setting up the vector loop.
    static let vectorThreshold = 64

    /// Validates whole vectors from `start`, a character boundary with at least 3 bytes before
    /// it in the same buffer, and returns the character boundary it stopped at (at most 3 bytes
    /// before the last whole vector's end), or `nil` if the bytes are invalid.
    ///
    /// The rules of RFC 3629 §4 (Unicode table 3-7) as comparisons on 16 bytes at once, each
    /// byte judged with the 3 bytes before it (loaded from memory at offsets -1, -2, -3):
    /// - a byte is a continuation byte (10xxxxxx) exactly when one of the 3 before it is a lead
    ///   byte that asks for it (a 2-, 3- or 4-byte lead at distance 1, 2 or 3);
    /// - C0, C1 and F5...FF never appear;
    /// - after E0 the next byte is A0...BF (no overlong 3-byte form), after ED 80...9F (no
    ///   surrogates), after F0 90...BF (no overlong 4-byte form), after F4 80...8F (nothing
    ///   above U+10FFFF).
    /// That is all of table 3-7; the automaton (``scan(_:_:_:state:kernel:)``) is the reference, and
    /// the tests run both over the same inputs.
    static func scanVectors(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        typealias Bytes = SIMD16<UInt8>
        var offset = start
        var invalid = Bytes()
        while offset &+ vectorWidth <= end {
            let byte = base.loadUnaligned(fromByteOffset: offset, as: Bytes.self)
            let previous1 = base.loadUnaligned(fromByteOffset: offset &- 1, as: Bytes.self)
            let previous2 = base.loadUnaligned(fromByteOffset: offset &- 2, as: Bytes.self)
            let previous3 = base.loadUnaligned(fromByteOffset: offset &- 3, as: Bytes.self)
            let mustContinue = atLeastC0(previous1) | atLeastE0(previous2) | atLeastF0(previous3)
            invalid |= isContinuation(byte) ^ mustContinue
            invalid |= equals(byte & 0xFE, 0xC0) | (atLeastF0(byte) & shift((byte & 0x0F) &+ 0x0B, 3))
            // The second byte's range after E0, ED, F0, F4 (it is a continuation byte, or the
            // line above already failed): bit 5 tells A0...BF from 80...9F, bits 5-4 tell
            // 80...8F from 90...BF.
            let bit5 = shift(byte, 2), bits54 = bit5 | shift(byte, 3)
            invalid |= equals(previous1, 0xE0) & ~bit5
            invalid |= equals(previous1, 0xED) & bit5
            invalid |= equals(previous1, 0xF0) & ~bits54
            invalid |= equals(previous1, 0xF4) & bits54
            offset &+= vectorWidth
            // Checking every 4 vectors keeps the branch off the critical path; an error is still
            // found within 64 bytes of where it is.
            if (offset &- start) & 63 == 0, hasFlag(invalid) { return nil }
        }
        if hasFlag(invalid) { return nil }
        return lastBoundary(base, before: offset)
    }

    // Lane predicates as bit arithmetic, the answer in each lane's bit 7 (other bits are
    // noise, cleared by `hasFlag`): the compiler turns these into plain vector instructions,
    // where the comparison operators (`.==`, `.>=`) become a loop over the lanes.

    /// 10xxxxxx.
    @inline(__always)
    static func isContinuation(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> { x & ~shift(x, 1) }

    /// 11xxxxxx: a lead byte of 2 or more bytes (or C0, C1, F5...FF, rejected separately).
    @inline(__always)
    static func atLeastC0(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> { x & shift(x, 1) }

    /// 111xxxxx: a lead byte of 3 or more bytes.
    @inline(__always)
    static func atLeastE0(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> { x & shift(x, 1) & shift(x, 2) }

    /// 1111xxxx: a lead byte of 4 bytes.
    @inline(__always)
    static func atLeastF0(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> { atLeastE0(x) & shift(x, 3) }

    /// Moves bit `7 - count` of each byte to bit 7: `count` doublings, since byte additions are
    /// single instructions everywhere while SSE2 has no 8-bit shift (and shifting wider lanes
    /// leaves the optimiser to guard bits that cross into the next byte).
    @inline(__always)
    static func shift(_ x: SIMD16<UInt8>, _ count: Int) -> SIMD16<UInt8> {
        var shifted = x
        for _ in 0..<count { shifted = shifted &+ shifted }
        return shifted
    }

    /// Lanes equal to `value`: zero lanes of `x ^ value`, found without carries between lanes.
    @inline(__always)
    static func equals(_ x: SIMD16<UInt8>, _ value: UInt8) -> SIMD16<UInt8> {
        let difference = x ^ SIMD16(repeating: value)
        return ~(((difference & 0x7F) &+ 0x7F) | difference)
    }

    /// Whether any lane has bit 7 set.
    @inline(__always)
    static func hasFlag(_ x: SIMD16<UInt8>) -> Bool {
        let words = unsafeBitCast(x, to: SIMD2<UInt64>.self)
        return (words[0] | words[1]) & 0x8080_8080_8080_8080 != 0
    }

    /// The start of the sequence that is still open at `offset` (a lead byte among the 3 bytes
    /// before it that asks for bytes at or past `offset`), or `offset` itself.
    static func lastBoundary(_ base: UnsafeRawPointer, before offset: Int) -> Int {
        if base.load(fromByteOffset: offset &- 1, as: UInt8.self) >= 0xC0 { return offset &- 1 }
        if base.load(fromByteOffset: offset &- 2, as: UInt8.self) >= 0xE0 { return offset &- 2 }
        if base.load(fromByteOffset: offset &- 3, as: UInt8.self) >= 0xF0 { return offset &- 3 }
        return offset
    }
}
