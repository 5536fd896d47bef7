/// A violation of the framing rules of RFC 6455 §5 found by ``FrameDecoder``.
///
/// Every case fails the WebSocket connection (§7.1.7). Each case documents the close code it maps
/// to; the mapping itself lives in the Core, in one place. The decoder does not judge RSV bits or
/// reserved opcodes (extensions may own them), nor UTF-8: the Core does.
public enum FramingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A server received a frame without the MASK bit (RFC 6455 §5.1: "The server MUST close the
    /// connection upon receiving a frame that is not masked."). Close code 1002 (protocol error).
    case maskRequired

    /// A client received a masked frame (RFC 6455 §5.1: "A client MUST close a connection if it
    /// detects a masked frame."). Close code 1002 (protocol error).
    case unexpectedMask

    /// The payload length used a longer encoding than needed (RFC 6455 §5.2: "the minimal number
    /// of bytes MUST be used to encode the length"): 126 for a length below 126, or 127 for a
    /// length below 65536. Close code 1002 (protocol error).
    case nonMinimalLength

    /// The 64-bit payload length had its most significant bit set (RFC 6455 §5.2: "the most
    /// significant bit MUST be 0"). Close code 1002 (protocol error).
    case lengthMostSignificantBitSet

    /// A control frame announced more than 125 payload bytes (RFC 6455 §5.5: "All control frames
    /// MUST have a payload length of 125 bytes or less"). Close code 1002 (protocol error).
    /// - Parameter length: the announced payload length.
    case controlFrameTooLong(length: UInt64)

    /// A control frame had FIN clear (RFC 6455 §5.5: "Control frames themselves MUST NOT be
    /// fragmented."). Close code 1002 (protocol error).
    case fragmentedControlFrame

    /// A data frame announced more payload than ``FrameDecoder/maxFrameSize`` allows. Close code
    /// 1009 (message too big: "a message that is too big for it to process", §7.4.1).
    /// - Parameters:
    ///   - length: the announced payload length.
    ///   - limit: the limit in force when the header arrived.
    case frameTooLarge(length: UInt64, limit: Int)

    /// A short English description for logs.
    public var description: String {
        switch self {
        case .maskRequired: "client frame is not masked"
        case .unexpectedMask: "server frame is masked"
        case .nonMinimalLength: "payload length is not minimally encoded"
        case .lengthMostSignificantBitSet: "64-bit payload length has its most significant bit set"
        case .controlFrameTooLong(let length): "control frame payload of \(length) bytes exceeds 125"
        case .fragmentedControlFrame: "control frame is fragmented"
        case .frameTooLarge(let length, let limit): "frame payload of \(length) bytes exceeds the limit of \(limit)"
        }
    }
}
