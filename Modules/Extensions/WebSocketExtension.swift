public import WebSocketFraming

/// The per-connection state of one negotiated extension (RFC 6455 §9).
///
/// An extension is synchronous and `mutating`: the Core owns it as a value and calls
/// ``encode(_:context:)`` on every outgoing frame and ``decode(_:context:)`` on every incoming
/// frame, control frames included, so an extension that only cares about data frames must pass
/// the others through untouched.
///
/// An extension declares what it owns on the wire. RFC 6455 §5.2: RSV1-3 "MUST be 0 unless an
/// extension is negotiated that defines meanings for non-zero values", and reserved opcodes are
/// only legal when an extension defines them. The Core fails the connection with 1002 when a
/// received frame carries a reserved bit or opcode that no extension owns, and
/// ``ExtensionStack`` refuses two extensions that claim the same bit or opcode.
///
/// An extension that changes payload bytes must mark the frames it changes with one of its RSV
/// bits (as permessage-deflate does with RSV1 on a message's first frame): the Core validates the
/// UTF-8 of unmarked text frames while they are still arriving, before they reach `decode`.
public protocol WebSocketExtension: Sendable {
    /// The registered extension token, e.g. `permessage-deflate` (RFC 6455 §9.1).
    var name: String { get }

    /// The reserved bits this extension gives a meaning to.
    var reservedBits: ReservedBits { get }

    /// The reserved opcodes (%x3-7, %xB-F) this extension gives a meaning to.
    var opcodes: [Opcode] { get }

    /// Transforms an outgoing frame. Extensions run in negotiation order on the way out.
    /// - Parameters:
    ///   - frame: the frame as the application (or the previous extension) produced it.
    ///   - context: per-message facts and options from the sender.
    /// - Returns: the frame to pass on.
    /// - Throws: ``ExtensionError`` when the frame cannot be encoded (e.g. a zlib failure).
    mutating func encode(_ frame: Frame, context: EncodingContext) throws(ExtensionError) -> Frame

    /// Transforms an incoming frame. Extensions run in reverse negotiation order on the way in.
    /// - Parameters:
    ///   - frame: the frame as it came off the wire (or from the next extension), unmasked.
    ///   - context: the limits that bound the output.
    /// - Returns: the frame to pass on.
    /// - Throws: ``ExtensionError``: the Core maps each kind to one close code.
    mutating func decode(_ frame: Frame, context: DecodingContext) throws(ExtensionError) -> Frame
}

extension WebSocketExtension {
    /// By default an extension owns no reserved bits.
    public var reservedBits: ReservedBits { [] }
    /// By default an extension owns no opcodes.
    public var opcodes: [Opcode] { [] }
}

/// Facts about an outgoing frame that are not in the frame itself.
public struct EncodingContext: Hashable, Sendable {
    /// Whether the sender allows payload compression for this message. `false` lets an
    /// application send already-compressed data (JPEG, gzip) without wasting CPU.
    public var allowsCompression: Bool

    /// Creates a context.
    /// - Parameter allowsCompression: whether compression is allowed; `true` by default.
    public init(allowsCompression: Bool = true) {
        self.allowsCompression = allowsCompression
    }
}

/// Limits that bound an incoming frame's decoded size.
public struct DecodingContext: Hashable, Sendable {
    /// How many payload bytes the decoded frame may have: what is left of the message size limit.
    /// An extension that expands data (inflate) must check its output against this as it grows
    /// and throw ``ExtensionError/Kind/messageTooBig`` past it, so memory stays bounded whatever
    /// the compression ratio.
    public var maxPayloadSize: Int

    /// Creates a context.
    /// - Parameter maxPayloadSize: the largest decoded payload allowed.
    public init(maxPayloadSize: Int) {
        self.maxPayloadSize = maxPayloadSize
    }
}
