/// Which end of the connection we are (RFC 6455 §5.1).
///
/// The role decides the masking rules: "a client MUST mask all frames that it sends to the
/// server" and "a server MUST NOT mask any frames that it sends to the client".
public enum Role: Hashable, Sendable {
    /// The endpoint that sent the opening handshake request.
    case client
    /// The endpoint that answered it.
    case server

    /// Whether frames this role sends must be masked.
    @inlinable public var masksOutgoingFrames: Bool { self == .client }

    /// Whether frames this role receives must be masked.
    @inlinable public var expectsMaskedFrames: Bool { self == .server }
}
