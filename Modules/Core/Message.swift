/// A complete WebSocket data message (RFC 6455 §5.6).
///
/// A message keeps its payload as bytes, text included (already validated as UTF-8), so that an
/// echo or a relay sends the same array back without decoding and re-encoding a `String`.
/// ``text`` decodes on demand.
public struct Message: Hashable, Sendable {
    /// Whether the payload is text or binary data (the opcode of the first frame).
    public enum Kind: Hashable, Sendable {
        /// "The 'Payload data' is text data encoded as UTF-8."
        case text
        /// "The 'Payload data' is arbitrary binary data."
        case binary
    }

    /// Text or binary.
    public let kind: Kind
    /// The payload; valid UTF-8 when ``kind`` is `.text`.
    public let data: [UInt8]

    /// Creates a text message.
    /// - Parameter string: the text.
    public static func text(_ string: String) -> Message {
        Message(kind: .text, data: Array(string.utf8))
    }

    /// Creates a binary message.
    /// - Parameter bytes: the payload.
    public static func binary(_ bytes: [UInt8]) -> Message {
        Message(kind: .binary, data: bytes)
    }

    /// The text of a text message; `nil` for a binary one.
    public var text: String? {
        kind == .text ? String(decoding: data, as: UTF8.self) : nil
    }

    /// Creates a message without checks: `data` must be valid UTF-8 for `.text`.
    init(kind: Kind, data: [UInt8]) {
        self.kind = kind
        self.data = data
    }
}
