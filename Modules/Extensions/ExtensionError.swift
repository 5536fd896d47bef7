/// The one error type of the WebSocketExtensions module.
///
/// Each ``Kind`` maps to exactly one close code; the mapping lives in the Core, beside every
/// other protocol violation, so that the whole table can be read in one place.
public struct ExtensionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms the Core needs to choose a close code.
    public enum Kind: Hashable, Sendable {
        /// The peer broke the extension's framing rules (e.g. RSV1 on a continuation frame).
        /// Closes with 1002.
        case protocolError
        /// The payload could not be decoded (e.g. corrupt deflate data). Closes with 1007.
        case invalidPayload
        /// The decoded payload grew past ``DecodingContext/maxPayloadSize``. Closes with 1009.
        case messageTooBig
        /// A local failure (e.g. zlib could not allocate). Closes with 1011.
        case internalError
        /// The negotiation failed: a bad offer or response, or conflicting extensions. A client
        /// fails the opening handshake; a server declines or rejects the request.
        case negotiationFailed
    }

    /// What went wrong.
    public var kind: Kind
    /// A message for people: what was expected and what was seen.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: the category.
    ///   - message: a human-readable explanation.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
