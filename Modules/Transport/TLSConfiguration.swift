/// TLS settings of a client connection (`wss://`): what to trust, who we are, what to offer.
///
/// The defaults are safe: the system's trust roots, certificate and host-name verification
/// (RFC 6125) always on, SNI always sent for a DNS name (RFC 6066 §3), TLS 1.2 or newer
/// (RFC 8996), ALPN `http/1.1` (RFC 7301; WebSocket's opening handshake is HTTP/1.1, RFC 6455
/// §4.1). There is no switch to turn verification off: trust a private CA with
/// ``trustRoots`` instead, or pin with ``verificationHook``.
public struct TLSConfiguration: Sendable {
    /// The CAs the server's certificate must chain to. Default ``TLSTrustRoots/system``.
    public var trustRoots: TLSTrustRoots = .system
    /// Our certificate and key, for servers that require client certificates (mutual TLS,
    /// RFC 8446 §4.4.2). Default none.
    public var identity: TLSIdentity?
    /// The name to send in SNI and to verify the certificate against, when it differs from the
    /// host we connect to (e.g. connecting to an IP address that serves `example.com`). Default
    /// nil: the connect host. An IP address is verified against the certificate's iPAddress
    /// entries and is never sent as SNI (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not
    /// permitted in HostName").
    public var serverName: String?
    /// The oldest TLS version we accept. Default ``TLSVersion/v1_2`` (RFC 8996 deprecates older).
    public var minimumVersion: TLSVersion = .v1_2
    /// The newest TLS version we offer; nil for the newest OpenSSL supports (TLS 1.3). Set it
    /// only to test or to work around a broken peer.
    public var maximumVersion: TLSVersion?
    /// The ALPN protocols we offer, in preference order (RFC 7301 §3.1). Default `["http/1.1"]`.
    /// Each name is 1...255 bytes.
    public var applicationProtocols: [String] = ["http/1.1"]
    /// An extra check of the server's verified chain, e.g. pinning. Default none.
    public var verificationHook: TLSVerificationHook?
    /// Offer a session from an earlier connection to the same server name (TLS 1.3 tickets,
    /// RFC 8446 §2.2; TLS 1.2 sessions), so that a reconnect skips the certificate exchange and
    /// its signature. Each session is offered once; the server's certificate was verified for
    /// that name when the session began. Sessions live in the ``TLSContext`` (shared by equal
    /// configurations, ``TLSContext/shared(client:)``). Default true; always off with a
    /// ``verificationHook``, which must see every connection's chain.
    public var resumesSessions = true
    /// Treat a TCP close without `close_notify` as a normal end of the stream instead of a
    /// ``TransportError/Kind/tlsUncleanShutdown`` error. Default false: such an end may hide a
    /// truncation attack (RFC 8446 §6.1). Turn it on only for peers known to skip `close_notify`.
    public var allowsUncleanShutdown = false

    /// Creates the default configuration.
    public init() {}
}
