/// What the server agreed to in its opening handshake (RFC 6455 §4.1, §4.2.2), once
/// ``ClientHandshake/validate(_:)`` has accepted it.
public struct ClientHandshakeResult: Sendable, Hashable {
    /// The subprotocol the server selected, one the client offered, or `nil` (RFC 6455 §1.9,
    /// §4.2.2 item 5.5).
    public var subprotocol: String?

    /// The extensions the server accepted, in the order of its header, each one the client
    /// offered by name. Checking their parameters is the extension negotiation's job
    /// (RFC 6455 §9.1).
    public var extensions: [ExtensionElement]

    /// All the response's header fields, for the application (e.g. `Set-Cookie`).
    public var headers: HTTPHeaders

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - subprotocol: The selected subprotocol.
    ///   - extensions: The accepted extensions.
    ///   - headers: The response's header fields.
    public init(subprotocol: String?, extensions: [ExtensionElement], headers: HTTPHeaders) {
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.headers = headers
    }
}
