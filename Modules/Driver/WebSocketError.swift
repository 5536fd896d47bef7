public import WebSocketCore
public import WebSocketHandshake
public import WebSocketTransport

/// The one error type of the I/O layer (driver, client, server).
public struct WebSocketError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The URL is not a valid `ws://` or `wss://` URL (RFC 6455 §3), or a redirect's
        /// `Location` names no such URL.
        case invalidURL(String)
        /// A redirect the client does not follow: from `wss://` to `ws://`, which would send
        /// the request, and then the messages, in the clear.
        case insecureRedirect(String)
        /// The socket layer failed: resolution, connect, I/O.
        case transport(TransportError)
        /// The WebSocket protocol failed: handshake, protocol violation, timeout, misuse.
        case connection(ConnectionError)
        /// The connection is closed; the closure says how.
        case closed(CloseInfo)
        /// ``WebSocket/pingRoundTrip(_:timeout:)`` got no pong within its timeout. The
        /// connection stays open: closing it is the caller's choice.
        case pongTimeout(Duration)
    }

    /// What went wrong.
    public let kind: Kind

    /// The server's HTTP response when it answered a client's upgrade with a status other than
    /// 101 (RFC 6455 §4.1: the client "handles the response per HTTP procedures"): its status,
    /// and headers such as `Location`, `WWW-Authenticate` or `Retry-After`. Nil otherwise.
    /// See ``WebSocketCore/Connection/refusedResponse``.
    public let response: HTTPResponseHead?

    /// Creates an error.
    /// - Parameters:
    ///   - kind: what went wrong.
    ///   - response: the response that refused a client's upgrade, if one did.
    public init(_ kind: Kind, response: HTTPResponseHead? = nil) {
        self.kind = kind
        self.response = response
    }

    /// A message for people.
    public var description: String {
        switch kind {
        case .invalidURL(let message): "invalid WebSocket URL: \(message)"
        case .insecureRedirect(let message): "redirect not followed: \(message)"
        case .transport(let error): "\(error)"
        case .connection(let error): "\(error)"
        case .pongTimeout(let timeout): "no pong within \(timeout)"
        case .closed(let info):
            if let error = info.error { "connection closed: \(error)" }
            else { "connection closed with code \(info.code)\(info.reason.isEmpty ? "" : ": \(info.reason)")" }
        }
    }
}
