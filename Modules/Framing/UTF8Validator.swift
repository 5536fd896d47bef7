/// An incremental, fail-fast UTF-8 validator for text messages (RFC 6455 §5.6, §8.1).
///
/// §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream
/// is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
/// (Close code 1007.) Feed the payload as it arrives, frame by frame or chunk by chunk: a code
/// point split across calls is accepted, and ``validate(_:)`` returns `false` as soon as a byte
/// makes the input invalid (Autobahn 6.4.x fail fast), staying failed until ``reset()``.
///
/// Accepts exactly the well-formed byte sequences of the Unicode Standard, ch. 3, table 3-7:
/// rejects overlong forms, C0, C1 and F5-FF, surrogates (ED A0-BF), code points above U+10FFFF,
/// truncated sequences and stray continuation bytes. Noncharacters such as U+FFFE are valid.
///
/// A deterministic automaton whose transitions for each byte are packed in one 64-bit row
/// ("shift DFA"), plus an ASCII fast path that checks 32 bytes at a time between code points and
/// a vector kernel for long non-ASCII runs (``bestKernel``: AVX2 or SSSE3 table lookup in C on
/// x86-64, 22 and 11 GB/s on Greek text; NEON table lookup in C on AArch64; Swift SIMD bit
/// arithmetic elsewhere, 3.5 GB/s). The automaton is the reference the tests hold every kernel
/// to.
public struct UTF8Validator: Sendable {
    /// The automaton state: a bit offset into the transition rows (see `UTF8Validator+Table`).
    @usableFromInline
    var state: UInt64

    /// Creates a validator at the start of a message.
    public init() { state = UTF8Validator.accept }

    /// Whether the input so far ends at a character boundary, with no partial code point pending:
    /// `true` means everything validated so far is complete, valid UTF-8. Check it at the end of a
    /// message (a message ending inside a code point is invalid).
    @inlinable public var isAtCharacterBoundary: Bool { state == UTF8Validator.accept }

    /// Whether an invalid byte has been seen; the validator stays failed until ``reset()``.
    @inlinable public var hasFailed: Bool { state == UTF8Validator.reject }

    /// Starts over, for a new message.
    @inlinable public mutating func reset() { state = UTF8Validator.accept }

    /// Validates the next bytes of the input.
    /// - Parameter bytes: the next bytes.
    /// - Returns: `false` if the input is invalid (now or before), `true` if it is a valid prefix.
    public mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Validates `bytes[range]` as the next bytes of the input.
    /// - Parameters:
    ///   - bytes: the buffer holding the next bytes.
    ///   - range: the bytes to validate; must lie within `bytes`.
    /// - Returns: `false` if the input is invalid (now or before), `true` if it is a valid prefix.
    public mutating func validate(_ bytes: [UInt8], range: Range<Int>) -> Bool {
        validate(bytes, range: range, kernel: UTF8Validator.bestKernel)
    }

    /// Validates the next bytes of the input.
    /// - Parameter bytes: the next bytes.
    /// - Returns: `false` if the input is invalid (now or before), `true` if it is a valid prefix.
    public mutating func validate(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Validates the next bytes of the input.
    /// - Parameter bytes: the next bytes; the pointer does not escape the call.
    /// - Returns: `false` if the input is invalid (now or before), `true` if it is a valid prefix.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        validate(bytes, kernel: UTF8Validator.bestKernel)
    }

    /// ``validate(_:)-(UnsafeRawBufferPointer)`` with a chosen vector kernel (the tests and the
    /// benchmark run each one).
    package mutating func validate(_ bytes: UnsafeRawBufferPointer, kernel: VectorKernel) -> Bool {
        if let base = bytes.baseAddress, bytes.count > 0, state != UTF8Validator.reject {
            state = UTF8Validator.scan(base, count: bytes.count, state: state, kernel: kernel)
        }
        return state != UTF8Validator.reject
    }

    /// Whether `bytes` is complete, valid UTF-8 (table 3-7).
    /// - Parameter bytes: the whole input.
    /// - Returns: `true` if it is well formed and does not end inside a code point.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtCharacterBoundary
    }

    /// ``validate(_:range:)`` with a chosen vector kernel.
    package mutating func validate(_ bytes: [UInt8], range: Range<Int>, kernel: VectorKernel) -> Bool {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range out of bounds")
        return bytes.withUnsafeBytes { validate(UnsafeRawBufferPointer(rebasing: $0[range]), kernel: kernel) }
    }

    /// The safe byte-wise twin of ``validate(_:range:)``: the same automaton stepped one byte at a
    /// time through ``UTF8Validator/transition(from:on:)`` with bounds checks, no table, no
    /// pointers. Used by the differential tests.
    package mutating func validateBytewise(_ bytes: [UInt8], range: Range<Int>) -> Bool {
        for index in range where state != UTF8Validator.reject {
            state = UTF8Validator.transition(from: state, on: bytes[index])
        }
        return state != UTF8Validator.reject
    }
}
