public import WebSocketFraming
public import WebSocketHandshake

/// What the Core reports to the driver and the application.
///
/// The once-per-connection cases are `indirect` (boxed): every event is copied out of the
/// Core's queue, and inline they made each one 152 bytes instead of 16 (a handshake request),
/// which a small-message server paid in copies on every message.
public enum Event: Sendable {
    /// Server role: a valid upgrade request arrived. Answer with
    /// ``Connection/accept(subprotocol:headers:)`` or ``Connection/reject(status:reason:headers:)``.
    indirect case upgradeRequest(ServerHandshakeRequest)
    /// Server role, with ``Configuration/deliversPlainHTTPRequests``: a request that does not ask
    /// for a WebSocket arrived. Answer with ``Connection/respond(status:reason:headers:body:)``
    /// or ``Connection/reject(status:reason:headers:)``; the connection closes after either.
    indirect case plainHTTPRequest(PlainHTTPRequest)
    /// The opening handshake completed; the connection is open (RFC 6455 §4.1, §4.2.2).
    indirect case open(OpenInfo)
    /// A complete data message.
    case message(Message)
    /// A ping arrived (the pong is already queued).
    case ping([UInt8])
    /// A pong arrived (solicited or not).
    case pong([UInt8])
    /// A frame with an opcode that a negotiated extension owns, after the extensions decoded it.
    case extensionFrame(Frame)
    /// The connection is closed (the closing handshake completed, or the connection failed).
    /// Reported exactly once.
    indirect case closed(CloseInfo)
}

/// What the opening handshake settled.
public struct OpenInfo: Sendable, Hashable {
    /// The subprotocol in use, if any.
    public var subprotocol: String?
    /// The extensions in use, as the server's response listed them.
    public var extensions: [ExtensionElement]
    /// The peer's headers: the server's response headers (client role) or the client's request
    /// headers (server role).
    public var headers: HTTPHeaders
}
