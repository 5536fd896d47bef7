/// The one error type of WebSocketTransport.
///
/// ``kind`` says what happened; ``endpoint`` (when known) says where, so that ``description``
/// reads like "connect to 127.0.0.1:9 refused".
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What happened.
    ///
    /// `indirect`: the payloads are boxed (allocated only when such an error is made), so that a
    /// `TransportError` is a few words. Every `send` and `read` returns its result beside a
    /// possible error, and every write checks the channel's pending failure: inline, the
    /// largest payload (``CertificateError``) made those 137-byte copies (`memcpy`, 1% of the
    /// 100-connection fan-in profile, a tenth of its user time).
    public indirect enum Kind: Hashable, Sendable {
        /// `getaddrinfo` could not resolve `host`; `message` is the resolver's (`gai_strerror`).
        case resolution(host: String, message: String)
        /// The connection was not established within the caller's timeout.
        case connectTimeout
        /// Nobody listens at the address (`ECONNREFUSED`).
        case connectionRefused
        /// The peer reset the connection, or it broke while writing (`ECONNRESET`, `EPIPE`).
        case connectionReset
        /// The address to bind is already in use (`EADDRINUSE`).
        case addressInUse
        /// Any other failed system call.
        case system(call: String, errno: Errno)
        /// The channel or listener is already closed.
        case closed
        /// The event loop shut down while the operation was pending.
        case eventLoopShutdown
        /// The task awaiting the operation was cancelled.
        case cancelled
        /// The peer's certificate was refused during the TLS handshake (RFC 8446 §4.4.2.4,
        /// RFC 5280 §6, RFC 6125 §6): expired, wrong host name, unknown CA, rejected by the hook.
        case certificate(CertificateError)
        /// TLS failed: the handshake (no common version or cipher, a fatal alert from the peer,
        /// not TLS at all) or a record later (bad MAC, unexpected message). `reason` is OpenSSL's
        /// (e.g. "tlsv13 alert certificate required", "wrong version number").
        case tls(reason: String)
        /// The TCP connection ended without the TLS `close_notify` alert (RFC 8446 §6.1), so the
        /// data may have been truncated. Tolerated instead when the TLS configuration's
        /// `allowsUncleanShutdown` is set.
        case tlsUncleanShutdown
        /// The TLS configuration cannot be used: an unreadable file, bad PEM, a private key that
        /// does not match its certificate. The message says which.
        case tlsConfiguration(String)
        /// The HTTP proxy refused the tunnel (RFC 9110 §9.3.6: any status other than 2xx), e.g.
        /// 407 when it wants credentials, 403 for a destination it does not allow, 502 when it
        /// could not reach the server. `reason` is the proxy's reason phrase.
        case proxyRefused(status: Int, reason: String)
        /// The tunnel through the proxy (HTTP or SOCKS5) failed otherwise: a malformed or
        /// oversized answer, the proxy closing before it answered, or a target or credentials
        /// that cannot be sent. On a listener with the PROXY protocol: a connection dropped for
        /// its header (``Listener``'s `onFailure`), the endpoint being the balancer's.
        case proxy(String)
        /// The SOCKS5 proxy refused the connection (RFC 1928 §6: a reply other than X'00'),
        /// e.g. 2 "connection not allowed by ruleset", 4 "host unreachable", 5 "connection
        /// refused" when the server refused the proxy. `reason` is the RFC's meaning of `reply`.
        case socksRefused(reply: Int, reason: String)
        /// The SOCKS5 proxy would not let the client in: it accepts none of the offered
        /// authentication methods (RFC 1928 §3: X'FF'; it may want credentials), or it rejected
        /// the username and password (RFC 1929 §2). The message says which.
        case socksAuthenticationFailed(String)
    }

    /// What happened.
    public let kind: Kind
    /// The address or `host:port` involved, when known (e.g. `127.0.0.1:9`, `[::1]:80`).
    public let endpoint: String?

    /// Creates an error.
    /// - Parameters:
    ///   - kind: what happened.
    ///   - endpoint: where, when known.
    public init(_ kind: Kind, endpoint: String? = nil) {
        self.kind = kind
        self.endpoint = endpoint
    }

    /// The `errno` behind this error, when it came from a system call.
    public var errno: Errno? {
        switch kind {
        case .system(_, let errno): errno
        case .connectionRefused: .connectionRefused
        default: nil
        }
    }

    /// A readable sentence, e.g. "connect to 127.0.0.1:9 refused".
    public var description: String {
        let target = endpoint.map { " \($0)" } ?? ""
        switch kind {
        case .resolution(let host, let message):
            return "name resolution of \(host) failed: \(message)"
        case .connectTimeout:
            return "connect to\(target.isEmpty ? " peer" : target) timed out"
        case .connectionRefused:
            return "connect to\(target.isEmpty ? " peer" : target) refused"
        case .connectionReset:
            return "connection\(target.isEmpty ? "" : " to" + target) reset by peer"
        case .addressInUse:
            return "address\(target) already in use"
        case .system(let call, let errno):
            return "\(call)\(endpoint.map { " (\($0))" } ?? "") failed: \(errno)"
        case .closed:
            return "channel\(target) is closed"
        case .eventLoopShutdown:
            return "event loop shut down"
        case .cancelled:
            return "operation\(target.isEmpty ? "" : " on" + target) cancelled"
        case .certificate(let error):
            return "TLS certificate of\(target.isEmpty ? " peer" : target) refused: \(error)"
        case .tls(let reason):
            return "TLS with\(target.isEmpty ? " peer" : target) failed: \(reason)\(Self.hint(forTLSReason: reason))"
        case .tlsUncleanShutdown:
            return "TLS connection\(target.isEmpty ? "" : " to" + target) ended without close_notify (possible truncation)"
        case .tlsConfiguration(let message):
            return "TLS configuration: \(message)"
        case .proxyRefused(let status, let reason):
            let hint = status == 407 ? " (the proxy wants credentials: HTTPProxy.authorization)" : ""
            return "proxy\(target) refused the tunnel: \(status) \(reason)\(hint)"
        case .proxy(let message):
            return "proxy\(target): \(message)"
        case .socksRefused(let reply, let reason):
            return "SOCKS5 proxy\(target) did not open the connection: \(reply) \(reason)"
        case .socksAuthenticationFailed(let message):
            return "SOCKS5 proxy\(target) authentication failed: \(message)"
        }
    }

    /// Advice for the OpenSSL reasons people meet most.
    static func hint(forTLSReason reason: String) -> String {
        let lower = reason.lowercased()
        if lower.contains("certificate required") {
            return " (the peer requires a client certificate: configure an identity)"
        } else if lower.contains("alert unknown ca") || lower.contains("alert bad certificate") {
            return " (the peer does not trust our certificate)"
        } else if ["wrong version number", "packet length too long", "http request", "closed during the tls handshake"]
            .contains(where: lower.contains) {
            return " (is the peer speaking TLS? ws:// vs wss://)"
        } else if lower.contains("unsupported protocol") || lower.contains("protocol version") {
            return " (no TLS version in common; the minimum is TLS 1.2)"
        }
        return ""
    }

    /// The error for a failed system call, mapping the errno values with their own kind.
    /// - Parameters:
    ///   - call: the libc function, e.g. `"connect"`.
    ///   - errno: the error it left.
    ///   - endpoint: where, when known.
    static func system(_ call: String, _ errno: Errno, endpoint: String? = nil) -> TransportError {
        switch errno {
        case .connectionRefused: TransportError(.connectionRefused, endpoint: endpoint)
        case .connectionReset, .brokenPipe: TransportError(.connectionReset, endpoint: endpoint)
        case .addressInUse: TransportError(.addressInUse, endpoint: endpoint)
        default: TransportError(.system(call: call, errno: errno), endpoint: endpoint)
        }
    }

    /// This error with `endpoint` filled in (kept when already set).
    func at(_ endpoint: String) -> TransportError {
        self.endpoint == nil ? TransportError(kind, endpoint: endpoint) : self
    }

    // MARK: The peer hung up during the connection's setup

    // The messages of those errors, shared with ``isPeerHangUpDuringSetup``.

    package static let closedDuringTLSHandshake = "connection closed during the TLS handshake"
    package static let httpProxyClosedEarly = "the proxy closed the connection before it answered CONNECT"
    package static let socksProxyClosedBeforeMethod = "the SOCKS5 proxy closed the connection before it chose an authentication method"
    package static let socksProxyClosedDuringAuthentication =
        "the SOCKS5 proxy closed the connection during authentication (RFC 1929 proxies often do so for wrong credentials)"
    package static let socksProxyClosedBeforeReply = "the SOCKS5 proxy closed the connection before it answered CONNECT"

    /// Whether the server or proxy closed the connection in the middle of the TLS handshake or
    /// before a proxy answered (a `.tls` or `.proxy` error of that cause): what a server or
    /// proxy restarting, or a load balancer without a backend, does. A SOCKS5 proxy closing
    /// during authentication is not counted: that is how many refuse credentials.
    package var isPeerHangUpDuringSetup: Bool {
        switch kind {
        case .tls(let reason): reason == Self.closedDuringTLSHandshake
        case .proxy(let message):
            [Self.httpProxyClosedEarly, Self.socksProxyClosedBeforeMethod, Self.socksProxyClosedBeforeReply].contains(message)
        default: false
        }
    }
}
