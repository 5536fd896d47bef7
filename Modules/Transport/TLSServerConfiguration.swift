/// TLS settings of a server: its certificate, client-certificate policy and SNI.
///
/// Defaults as for ``TLSConfiguration``: TLS 1.2 or newer (RFC 8996), ALPN `http/1.1` selected
/// when the client offers it (RFC 7301), renegotiation off.
public struct TLSServerConfiguration: Sendable {
    /// Whether and how the server asks for client certificates (RFC 8446 §4.3.2, §4.4.2.4).
    public enum ClientAuthentication: Hashable, Sendable {
        /// Ask for none. The default.
        case none
        /// Ask for one; a client without a certificate is let in, a client whose certificate
        /// does not verify against the roots is refused.
        case optional(trustRoots: TLSTrustRoots)
        /// Require one that verifies against the roots; a client without one is refused
        /// (RFC 8446 §4.4.2.4: the server "MAY abort the handshake with a
        /// "certificate_required" alert").
        case required(trustRoots: TLSTrustRoots)
    }

    /// The certificate chain and private key the server presents.
    public var identity: TLSIdentity
    /// Client certificates. Default ``ClientAuthentication/none``.
    public var clientAuthentication: ClientAuthentication = .none
    /// Picks the identity for the name a client sent in SNI (RFC 6066 §3), e.g. one certificate
    /// per virtual host; nil keeps ``identity``. Called on the event loop thread during each
    /// handshake that carries SNI: keep it fast (look up prepared ``TLSIdentity`` values, do not
    /// read files). Default none.
    public var serverNameHandler: (@Sendable (_ serverName: String) -> TLSIdentity?)?
    /// The oldest TLS version we accept. Default ``TLSVersion/v1_2``.
    public var minimumVersion: TLSVersion = .v1_2
    /// The newest TLS version we offer; nil for the newest OpenSSL supports (TLS 1.3). Set it
    /// only to test or to work around a broken peer.
    public var maximumVersion: TLSVersion?
    /// The ALPN protocols we accept, in preference order (RFC 7301 §3.2). A client that offers
    /// ALPN without any of them gets a fatal `no_application_protocol` alert ("SHALL"). Default
    /// `["http/1.1"]`.
    public var applicationProtocols: [String] = ["http/1.1"]
    /// An extra check of a client's verified certificate chain. Default none.
    public var verificationHook: TLSVerificationHook?
    /// Treat a client's TCP close without `close_notify` as a normal end of the stream
    /// (see ``TLSConfiguration/allowsUncleanShutdown``). Default false.
    public var allowsUncleanShutdown = false

    /// Creates a configuration that presents `identity`.
    /// - Parameter identity: the server's certificate chain and key.
    public init(identity: TLSIdentity) {
        self.identity = identity
    }
}
