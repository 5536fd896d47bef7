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
extension Message {
    /// Equal kind and bytes. Compares 8 bytes at a time: the synthesized comparison walks the
    /// arrays one element at a time, which made it most of a client benchmark's time on
    /// 64 KiB messages.
    public static func == (lhs: Message, rhs: Message) -> Bool {
        guard lhs.kind == rhs.kind, lhs.data.count == rhs.data.count else { return false }
        return lhs.data.withUnsafeBytes { left in
            rhs.data.withUnsafeBytes { right in Self.bytesEqual(left, right) }
        }
    }

    /// Whether two buffers of the same length hold the same bytes.
    static func bytesEqual(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard let a = left.baseAddress, let b = right.baseAddress, a != b else { return true }
        let count = left.count
        var offset = 0
        var difference: UInt64 = 0
        while offset &+ 8 <= count {
            difference |= a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset &+= 8
            if offset & 4095 == 0, difference != 0 { return false }
        }
        while offset < count {
            difference |= UInt64(left[offset] ^ right[offset])
            offset &+= 1
        }
        return difference == 0
    }
}
