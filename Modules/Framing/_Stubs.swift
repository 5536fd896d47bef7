// TEMPORARY stubs so Core compiles before the Framing branch lands. Deleted on merge.
public struct MaskingKey: Hashable, Sendable {
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {}
    public init<G: RandomNumberGenerator>(using generator: inout G) {}
    public static func random() -> MaskingKey { MaskingKey(0, 0, 0, 0) }
    public var bytes: [UInt8] { [] }
}
public struct InputBuffer: Sendable {
    public init() {}
    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {}
    public var readableCount: Int { 0 }
    public var isEmpty: Bool { true }
    public mutating func removeAll() {}
}
public enum FramingError: Error, Hashable, Sendable {
    case maskRequired, unexpectedMask, nonMinimalLength, lengthMostSignificantBitSet
    case controlFrameTooLong(length: UInt64), fragmentedControlFrame, frameTooLarge(length: UInt64, limit: Int)
}
public struct FrameHeader: Hashable, Sendable {
    public var isFinal: Bool; public var reservedBits: ReservedBits; public var opcode: Opcode
    public var maskingKey: MaskingKey?; public var payloadLength: Int
}
public struct FrameDecoder: Sendable {
    public init(role: Role, maxFrameSize: Int) { self.maxFrameSize = maxFrameSize }
    public var maxFrameSize: Int
    public mutating func decode(from input: inout InputBuffer) throws(FramingError) -> Frame? { nil }
    public var pendingHeader: FrameHeader? { nil }
    public var pendingPayload: [UInt8] { [] }
}
public enum FrameEncoder {
    public static func encode(_ frame: Frame, maskingKey: MaskingKey?, into output: inout [UInt8]) {}
}
public struct UTF8Validator: Sendable {
    public init() {}
    public mutating func validate(_ bytes: [UInt8]) -> Bool { true }
    public mutating func validate(_ bytes: [UInt8], range: Range<Int>) -> Bool { true }
    public var isAtCharacterBoundary: Bool { true }
    public var hasFailed: Bool { false }
    public mutating func reset() {}
    public static func isValid(_ bytes: [UInt8]) -> Bool { true }
}
