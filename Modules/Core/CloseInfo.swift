public import WebSocketFraming

/// How a connection ended (RFC 6455 §7.1.5, §7.1.6).
public struct CloseInfo: Hashable, Sendable {
    /// The WebSocket Connection Close Code: the peer's code when it sent one, 1005 when its close
    /// frame had none, 1006 when the transport ended without a closing handshake, or the code we
    /// failed the connection with.
    public var code: CloseCode
    /// The WebSocket Connection Close Reason: the peer's reason, or ours when we failed.
    public var reason: String
    /// Whether the closing handshake completed: both close frames were exchanged.
    public var wasClean: Bool
    /// The failure, when the connection did not end by an ordinary closing handshake.
    public var error: ConnectionError?

    /// Creates the description of a closure.
    public init(code: CloseCode, reason: String, wasClean: Bool, error: ConnectionError? = nil) {
        self.code = code
        self.reason = reason
        self.wasClean = wasClean
        self.error = error
    }
}
