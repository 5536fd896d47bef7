public import WebSocketCore
public import WebSocketTransport

/// The one error type of the I/O layer (driver, client, server).
public struct WebSocketError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The URL is not a valid `ws://` or `wss://` URL (RFC 6455 §3).
        case invalidURL(String)
        /// The socket layer failed: resolution, connect, I/O.
        case transport(TransportError)
        /// The WebSocket protocol failed: handshake, protocol violation, timeout, misuse.
        case connection(ConnectionError)
        /// The connection is closed; the closure says how.
        case closed(CloseInfo)
    }

    /// What went wrong.
    public let kind: Kind

    /// Creates an error.
    public init(_ kind: Kind) { self.kind = kind }

    /// A message for people.
    public var description: String {
        switch kind {
        case .invalidURL(let message): "invalid WebSocket URL: \(message)"
        case .transport(let error): "\(error)"
        case .connection(let error): "\(error)"
        case .closed(let info):
            if let error = info.error { "connection closed: \(error)" }
            else { "connection closed with code \(info.code)\(info.reason.isEmpty ? "" : ": \(info.reason)")" }
        }
    }
}
