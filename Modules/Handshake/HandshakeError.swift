/// The one error type of the opening handshake (RFC 6455 §4): malformed HTTP, a handshake that
/// breaks a rule of §4.1 or §4.2, a server response the client must reject, or input to one of
/// the builders that cannot be sent.
///
/// ``kind`` says what went wrong, for code; ``message`` says it for people. Messages never carry
/// raw peer bytes: quoted peer input is limited to printable ASCII and shortened, so a server
/// may put the message in the body of its error response.
public struct HandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var kind: Kind

    /// A short explanation for people, naming the RFC rule that failed.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - message: An explanation; defaults to a standard one for `kind`.
    public init(_ kind: Kind, message: String? = nil) {
        self.kind = kind
        self.message = message ?? kind.defaultMessage
    }

    /// The HTTP status a server answers a failed handshake with (RFC 6455 §4.2.1: "the server
    /// MUST stop processing the client's handshake and return an HTTP response with an
    /// appropriate error code (such as 400 Bad Request)"). See ``Kind/responseStatus``.
    public var responseStatus: Int { kind.responseStatus }

    /// The ``message``.
    public var description: String { message }

    /// Peer text made safe to quote in a message: printable ASCII only, at most 64 bytes.
    static func quoted(_ text: some StringProtocol) -> String {
        let printable = text.utf8.prefix(64).map { HTTPGrammar.isVisibleASCII($0) || $0 == 0x20 ? $0 : UInt8(ascii: "?") }
        let suffix = text.utf8.count > 64 ? "..." : ""
        return "\"" + String(decoding: printable, as: UTF8.self) + suffix + "\""
    }
}
