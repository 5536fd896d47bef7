/// A received data message whose payload is borrowed from the receiver's buffer instead of
/// copied into an array of its own: the zero-allocation way to handle messages
/// (``Connection/receiveBorrowing(_:offset:)``, and a driver's synchronous message handler).
///
/// The payload is valid only until the call that handed the message out returns: the buffer
/// it points into is reused for the next read. Keep what you need with ``message`` (a copy) or
/// ``text``; send it on with ``Connection/send(_:allowsCompression:)-(BorrowedMessage,_)``,
/// which copies it into the output. Text is valid UTF-8, checked before the message is handed
/// out (RFC 6455 §8.1).
public struct BorrowedMessage {
    /// Text or binary.
    public let kind: Message.Kind
    /// The payload, unmasked; valid UTF-8 when ``kind`` is `.text`. Do not keep the pointer.
    public let bytes: UnsafeRawBufferPointer

    /// The array `bytes` lies in, when the message was assembled into one (fragments,
    /// compression, a frame longer than a read): sending or keeping the message then shares it
    /// instead of copying.
    package let storage: [UInt8]?

    /// A message handed out by the Core or a driver: `bytes` must be valid UTF-8 for `.text`.
    /// - Parameters:
    ///   - kind: text or binary.
    ///   - bytes: the payload, borrowed.
    ///   - storage: the array `bytes` points into, if there is one (`bytes` is then all of it).
    package init(kind: Message.Kind, bytes: UnsafeRawBufferPointer, storage: [UInt8]? = nil) {
        self.kind = kind
        self.bytes = bytes
        self.storage = storage
    }

    /// The text of a text message (a new `String`); nil for a binary one.
    public var text: String? {
        kind == .text ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// A message that owns its payload, to keep beyond the handler (a copy, unless the payload
    /// already had an array of its own).
    public var message: Message { Message(kind: kind, data: storage ?? Array(bytes)) }
}
