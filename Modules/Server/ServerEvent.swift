public import WebSocketCore
public import WebSocketDriver
public import WebSocketTransport
import WebSocketFraming
import WebSocketHandshake

/// What happened to a connection, or to the listener, for the server's logs and metrics
/// (``WebSocketServer/Configuration/onEvent``). Without it a server refuses, fails and drops
/// connections silently: a balancer that sends no PROXY header, a client whose requests are
/// all refused with 400, a server at its connection limit look the same from outside.
///
/// Every connection the listener hands to the server ends in exactly one of
/// ``Kind/refused(_:)``, ``Kind/closed(_:)`` (after ``Kind/opened(_:)``),
/// ``Kind/answeredPlainRequest(status:)`` and ``Kind/failedBeforeOpen(status:error:)``; one
/// the listener dropped itself (its PROXY header, no memory for a TLS session) is a
/// ``Kind/listenerFailure(_:)``, and one whose peer reset it before it was set up, or that was
/// accepted as the server stopped, goes unreported. `description` is a log line.
public struct ServerEvent: Sendable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable {
        /// The connection was answered 503 as soon as it was accepted, and closed.
        case refused(Refusal)
        /// The connection opened (the server sent 101) for this request.
        case opened(UpgradeRequest)
        /// An open connection ended: how (RFC 6455 §7.1.5), the failure included when it was
        /// not an ordinary closing handshake.
        case closed(CloseInfo)
        /// A plain HTTP request (the `plainHTTP` hook of ``WebSocketServer``'s `start`) was
        /// answered with `status`, and the connection closed.
        case answeredPlainRequest(status: Int)
        /// The connection ended before it opened: a request refused (by `shouldUpgrade`, or as
        /// invalid: RFC 6455 §4.2.1's 400, 405, 426, 431…), a TLS handshake that failed, the
        /// open timeout, a client that left. `status` is the response's, nil when none was
        /// sent; `error` says why.
        case failedBeforeOpen(status: Int?, error: WebSocketError)
        /// The listener handled something by itself: an `accept` that failed for want of
        /// resources (`.system`: `EMFILE`…; accepting pauses for 100 ms), a connection
        /// dropped for its PROXY protocol header (`.proxy`: missing, invalid, late; the error's
        /// endpoint is the balancer's), or one dropped for want of memory for its TLS session
        /// (`.tls`).
        case listenerFailure(TransportError)
    }

    /// Why a connection was refused with 503 at once.
    public enum Refusal: Sendable, Hashable {
        /// ``WebSocketServer/Configuration/maxConnections`` connections were open.
        case connectionLimit
        /// Its address had ``WebSocketServer/Configuration/maxConnectionsPerAddress`` open.
        case addressLimit
        /// The server is shutting down.
        case shuttingDown
    }

    /// What happened.
    public let kind: Kind
    /// The client, as ``UpgradeRequest/remoteAddress`` gives it (the PROXY header's client
    /// behind a balancer); nil for ``Kind/listenerFailure(_:)`` and a Unix socket's client.
    public let remoteAddress: String?

    /// Creates an event.
    public init(_ kind: Kind, remoteAddress: String?) {
        self.kind = kind
        self.remoteAddress = remoteAddress
    }

    /// A log line: `203.0.113.7:51234: refused with 503 (maxConnections reached)`; behind
    /// trusted HTTP proxies an opened connection names its client after the proxy's address
    /// (`10.0.0.5:40112: opened /chat for 203.0.113.7`); the other events name the peer only.
    public var description: String {
        let who = remoteAddress.map { $0 + ": " } ?? ""
        switch kind {
        case .refused(let refusal):
            return who + "refused with 503 (\(refusal.description))"
        case .opened(let upgrade):
            let path = upgrade.request.query.map { upgrade.request.path + "?" + $0 } ?? upgrade.request.path
            // The client a trusted proxy named (`trustedProxies`).
            let forwarded = upgrade.isForwarded ? " for \(upgrade.clientAddress ?? "an unknown client")" : ""
            return who + "opened \(path)\(forwarded)"
        case .closed(let info):
            let reason = info.reason.isEmpty ? "" : " \"\(info.reason)\""
            let failure = info.error.map { ": \($0)" } ?? ""
            return who + "closed \(info.code.rawValue)\(reason)\(info.wasClean ? "" : " (not clean)")\(failure)"
        case .answeredPlainRequest(let status):
            return who + "answered a plain HTTP request with \(status)"
        case .failedBeforeOpen(let status, let error):
            return who + "not opened" + (status.map { " (\($0))" } ?? "") + ": \(error)"
        case .listenerFailure(let error):
            return who + "listener: \(error)"
        }
    }
}

extension ServerEvent.Refusal: CustomStringConvertible {
    /// The limit's name: `maxConnections reached`.
    public var description: String {
        switch self {
        case .connectionLimit: "maxConnections reached"
        case .addressLimit: "maxConnectionsPerAddress reached"
        case .shuttingDown: "shutting down"
        }
    }
}
