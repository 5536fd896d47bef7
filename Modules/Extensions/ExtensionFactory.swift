public import WebSocketHandshake

/// Negotiates one extension in the opening handshake (RFC 6455 §9.1) and creates its
/// per-connection state.
///
/// One configuration value serves both roles: a client asks it for offers and hands it the
/// server's answer; a server hands it the client's offers and gets back its response.
/// Negotiation works on parsed ``ExtensionElement`` values (the RFC 7230 token/quoted-string
/// grammar, order and duplicates kept), never on strings.
public protocol ExtensionFactory: Sendable {
    /// The extension token this factory negotiates, e.g. `permessage-deflate`.
    var name: String { get }

    /// Client role: the offers to send, most preferred first. Several offers of the same
    /// extension are allowed (RFC 7692 §5); all must carry ``name``.
    func makeClientOffers() -> [ExtensionElement]

    /// Client role: validates the server's response element and creates the extension.
    /// - Parameter response: the element of the server's `Sec-WebSocket-Extensions` that names
    ///   this extension.
    /// - Throws: ``ExtensionError`` with kind `negotiationFailed` when the response is not one
    ///   the offers allowed. RFC 6455 §4.1: the client "MUST _Fail the WebSocket Connection_".
    func acceptServerResponse(_ response: ExtensionElement) throws(ExtensionError) -> any WebSocketExtension

    /// Server role: picks the first of the client's offers this server can satisfy.
    /// - Parameter offers: the client's offers that name this extension, in the client's order.
    /// - Returns: the response element and the extension, or `nil` to decline.
    /// - Throws: ``ExtensionError`` when an offer is malformed (invalid or duplicate parameters):
    ///   the server answers 400; with kind `internalError` for a failure of the server's own
    ///   (memory): the server answers 500.
    func negotiateClientOffers(_ offers: [ExtensionElement]) throws(ExtensionError) -> ExtensionAgreement?
}

/// A server's acceptance of one extension: what it answers and the state it will use.
public struct ExtensionAgreement: Sendable {
    /// The element to send in `Sec-WebSocket-Extensions`.
    public var response: ExtensionElement
    /// The per-connection extension.
    public var `extension`: any WebSocketExtension

    /// Creates an agreement.
    /// - Parameters:
    ///   - response: the response element.
    ///   - extension: the extension state.
    public init(response: ExtensionElement, extension: any WebSocketExtension) {
        self.response = response
        self.extension = `extension`
    }
}
