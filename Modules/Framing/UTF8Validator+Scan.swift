extension UTF8Validator {
    /// The high bit of every byte of a word: set bits mean non-ASCII bytes.
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Runs the automaton over `count` bytes at `base` from `state` and returns the final state
    /// (in 0..<64, ``reject`` if any byte was invalid).
    static func scan(_ base: UnsafeRawPointer, count: Int, state: UInt64, kernel: VectorKernel) -> UInt64 {
        rows.withUnsafeBufferPointer { rows in scan(base, rows.baseAddress!, 0..<count, state: state, kernel: kernel) }
    }

    /// Steps one automaton over `range` from `state`: between code points it skips ASCII 32 bytes
    /// at a time and checks long non-ASCII runs with a vector `kernel` (`scanVectors`);
    /// otherwise it steps blocks of 16 bytes, stopping early once it has failed.
    static func scan(
        _ base: UnsafeRawPointer, _ rows: UnsafePointer<UInt64>, _ range: Range<Int>, state: UInt64,
        kernel: VectorKernel
    ) -> UInt64 {
        var state = state
        var offset = range.lowerBound
        while offset < range.upperBound {
            if state == accept {
                offset = skipASCIIIfAny(base, from: offset, count: range.upperBound)
                if offset == range.upperBound { break }
                if offset >= 3, range.upperBound &- offset >= vectorThreshold {
                    // Long non-ASCII text: 16 or 32 bytes per step (see `scanVectors`), then
                    // the automaton from the last character boundary.
                    guard let boundary = scanVectors(kernel, base, from: offset, to: range.upperBound) else { return reject }
                    offset = boundary
                }
            }
            let blockEnd = Swift.min(offset &+ 16, range.upperBound)
            while offset < blockEnd {
                // Only the low 6 bits of `state` are meaningful: `&>>` masks the shift count with
                // 63 itself (one x86 shift by %cl), so a step is a load and a shift.
                state = rows[Int(base.load(fromByteOffset: offset, as: UInt8.self))] &>> state
                offset &+= 1
            }
            state &= 63
            if state == reject { break }
        }
        return state
    }

    /// ``skipASCII(_:from:count:)``, after an inline check that the first word is ASCII, so that
    /// text with few ASCII runs does not pay a call per block.
    @inline(__always)
    static func skipASCIIIfAny(_ base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
        guard start &+ 8 <= count,
              base.loadUnaligned(fromByteOffset: start, as: UInt64.self) & highBits == 0
        else { return start }
        return skipASCII(base, from: start &+ 8, count: count)
    }

    /// Returns the offset of the first word at or after `start` that holds a non-ASCII byte, or a
    /// position within the last 7 bytes before `count`; everything before it is ASCII.
    static func skipASCII(_ base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
        var offset = start
        while offset &+ 32 <= count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: offset &+ 16, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: offset &+ 24, as: UInt64.self)
            if word & highBits != 0 { break }
            offset &+= 32
        }
        while offset &+ 8 <= count {
            if base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & highBits != 0 { break }
            offset &+= 8
        }
        return offset
    }
}
