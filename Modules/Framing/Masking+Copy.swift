extension Masking {
    /// Appends `source`, masked or unmasked with `key` (RFC 6455 §5.3), to `destination` in one
    /// pass: the bytes are XORed as they are copied, eight at a time.
    ///
    /// The decoder uses this to move a payload out of the input buffer into the frame's payload
    /// array. Reserve capacity in `destination` first to control its growth.
    /// - Parameters:
    ///   - key: the frame's masking key.
    ///   - source: the bytes to copy; the pointer does not escape the call.
    ///   - destination: the array to append to.
    ///   - phase: the payload index of `source`'s first byte (only `phase % 4` matters).
    public static func copyApplying(
        _ key: MaskingKey, from source: UnsafeRawBufferPointer, appendingTo destination: inout [UInt8],
        phase: Int = 0
    ) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        destination.append(contentsOf: MaskedBytes(key: key, base: base, count: source.count, phase: phase))
    }

    /// Appends `source[range]`, masked or unmasked with `key` (RFC 6455 §5.3), to `destination`
    /// in one pass.
    /// - Parameters:
    ///   - key: the frame's masking key.
    ///   - source: the array to copy from.
    ///   - range: the bytes of `source` to copy; must lie within `source`.
    ///   - destination: the array to append to.
    ///   - phase: the payload index of `source[range.lowerBound]` (only `phase % 4` matters).
    public static func copyApplying(
        _ key: MaskingKey, from source: [UInt8], range: Range<Int>, appendingTo destination: inout [UInt8],
        phase: Int = 0
    ) {
        precondition(range.lowerBound >= 0 && range.upperBound <= source.count, "range out of bounds")
        source.withUnsafeBytes { buffer in
            copyApplying(key, from: UnsafeRawBufferPointer(rebasing: buffer[range]), appendingTo: &destination,
                         phase: phase)
        }
    }

    /// The safe byte-wise twin of ``copyApplying(_:from:range:appendingTo:phase:)``: same
    /// signature, same result, one byte at a time with bounds checks.
    /// - Parameters:
    ///   - key: the frame's masking key.
    ///   - source: the array to copy from.
    ///   - range: the bytes of `source` to copy; must lie within `source`.
    ///   - destination: the array to append to.
    ///   - phase: the payload index of `source[range.lowerBound]` (only `phase % 4` matters).
    public static func copyApplyingBytewise(
        _ key: MaskingKey, from source: [UInt8], range: Range<Int>, appendingTo destination: inout [UInt8],
        phase: Int = 0
    ) {
        for index in range {
            destination.append(source[index] ^ key[phase &+ (index &- range.lowerBound)])
        }
    }
}

/// A borrowed run of bytes seen through a masking key: a `Sequence` whose bulk copy
/// (`_copyContents`, which `Array.append(contentsOf:)` uses to fill its new tail) masks a word at
/// a time, so that appending it copies and unmasks in a single pass.
///
/// Only ever created and consumed inside the closure that owns `base`.
struct MaskedBytes: Sequence {
    let key: MaskingKey
    let base: UnsafeRawPointer
    let count: Int
    let phase: Int

    var underestimatedCount: Int { count }

    func makeIterator() -> Iterator { Iterator(bytes: self, offset: 0) }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<UInt8>) -> (Iterator, Int) {
        let written = Swift.min(count, buffer.count)
        if written > 0, let destination = buffer.baseAddress {
            Masking.transform(key, from: base, to: UnsafeMutableRawPointer(destination), count: written,
                              phase: phase)
        }
        return (Iterator(bytes: self, offset: written), written)
    }

    /// Yields the masked bytes one at a time (the slow path; `_copyContents` is the fast one).
    struct Iterator: IteratorProtocol {
        let bytes: MaskedBytes
        var offset: Int

        mutating func next() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset &+= 1 }
            return bytes.base.load(fromByteOffset: offset, as: UInt8.self) ^ bytes.key[bytes.phase &+ offset]
        }
    }
}
