/// The masking transform of RFC 6455 §5.3, a machine word at a time.
///
/// "The masking does not affect the length of the 'Payload data'. To convert masked data into
/// unmasked data, or vice versa, the following algorithm is applied. [...] j = i MOD 4;
/// transformed-octet-i = original-octet-i XOR masking-key-octet-j". Masking and unmasking are the
/// same operation.
///
/// `phase` is the index, within the frame's payload (or just modulo 4), of the first byte being
/// transformed. It lets a payload be unmasked in several chunks as it arrives.
///
/// This file and `Masking+Copy.swift` hold the module's unsafe pointer code. Every word-wise
/// entry point has a safe byte-wise twin (`...Bytewise`) checked against it by differential tests.
public enum Masking {
    /// Masks or unmasks `bytes[range]` in place (RFC 6455 §5.3), eight bytes at a time.
    /// - Parameters:
    ///   - key: the frame's masking key.
    ///   - bytes: the buffer to transform in place.
    ///   - range: the bytes to transform; the whole array when `nil`. Must lie within `bytes`.
    ///   - phase: the payload index of `bytes[range.lowerBound]` (only `phase % 4` matters).
    public static func apply(
        _ key: MaskingKey, to bytes: inout [UInt8], range: Range<Int>? = nil, phase: Int = 0
    ) {
        let range = range ?? bytes.indices
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range out of bounds")
        guard !range.isEmpty else { return }
        bytes.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress! + range.lowerBound
            transform(key, from: UnsafeRawPointer(base), to: base, count: range.count, phase: phase)
        }
    }

    /// Masks or unmasks `bytes` in place (RFC 6455 §5.3), eight bytes at a time.
    /// - Parameters:
    ///   - key: the frame's masking key.
    ///   - bytes: the memory to transform; the pointer does not escape the call.
    ///   - phase: the payload index of the first byte (only `phase % 4` matters).
    public static func apply(_ key: MaskingKey, to bytes: UnsafeMutableRawBufferPointer, phase: Int = 0) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        transform(key, from: UnsafeRawPointer(base), to: base, count: bytes.count, phase: phase)
    }

    /// The safe byte-wise twin of ``apply(_:to:range:phase:)``: the RFC's algorithm verbatim,
    /// one byte at a time, with bounds checks. Same signature, same result.
    /// - Parameters:
    ///   - key: the frame's masking key.
    ///   - bytes: the buffer to transform in place.
    ///   - range: the bytes to transform; the whole array when `nil`. Must lie within `bytes`.
    ///   - phase: the payload index of `bytes[range.lowerBound]` (only `phase % 4` matters).
    public static func applyBytewise(
        _ key: MaskingKey, to bytes: inout [UInt8], range: Range<Int>? = nil, phase: Int = 0
    ) {
        let range = range ?? bytes.indices
        for index in range {
            // RFC 6455 §5.3: "j = i MOD 4", i being the index within the payload.
            bytes[index] ^= key[phase &+ (index &- range.lowerBound)]
        }
    }

    /// XORs `count` bytes at `source` with the masking pattern into `destination`, which may be
    /// the same memory (in place) but must not otherwise overlap it.
    ///
    /// Four 64-bit words per iteration, then single words, then single bytes. Loads and stores are
    /// unaligned-safe, so any offset works.
    @usableFromInline
    static func transform(
        _ key: MaskingKey, from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer,
        count: Int, phase: Int
    ) {
        let pattern = key.wordPattern(phase: phase)
        var offset = 0
        while offset &+ 32 <= count {
            let w0 = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let w1 = source.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
            let w2 = source.loadUnaligned(fromByteOffset: offset &+ 16, as: UInt64.self)
            let w3 = source.loadUnaligned(fromByteOffset: offset &+ 24, as: UInt64.self)
            destination.storeBytes(of: w0 ^ pattern, toByteOffset: offset, as: UInt64.self)
            destination.storeBytes(of: w1 ^ pattern, toByteOffset: offset &+ 8, as: UInt64.self)
            destination.storeBytes(of: w2 ^ pattern, toByteOffset: offset &+ 16, as: UInt64.self)
            destination.storeBytes(of: w3 ^ pattern, toByteOffset: offset &+ 24, as: UInt64.self)
            offset &+= 32
        }
        while offset &+ 8 <= count {
            let word = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            destination.storeBytes(of: word ^ pattern, toByteOffset: offset, as: UInt64.self)
            offset &+= 8
        }
        while offset < count {
            let byte = source.load(fromByteOffset: offset, as: UInt8.self)
            destination.storeBytes(of: byte ^ key[phase &+ offset], toByteOffset: offset, as: UInt8.self)
            offset &+= 1
        }
    }
}
