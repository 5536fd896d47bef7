import COpenSSL

extension TLSSession {
    /// The protocol chosen with ALPN (RFC 7301 §3.2), e.g. "http/1.1"; nil if none.
    public var negotiatedApplicationProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated version, nil before the handshake completed.
    public var negotiatedVersion: TLSVersion? {
        guard isHandshakeComplete else { return nil }
        return TLSVersion(rawValue: Int(SSL_version(ssl)))
    }

    /// Server: the name the client sent in SNI (RFC 6066 §3), if any.
    public var requestedServerName: String? {
        SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    }

    /// Whether the handshake resumed an earlier session (``TLSConfiguration/resumesSessions``):
    /// no certificate was exchanged or verified in it; the session's first handshake verified
    /// the same server.
    public var isResumed: Bool { SSL_session_reused(ssl) == 1 }

    /// The peer's verified certificate chain in DER, leaf first; empty when the peer sent no
    /// certificate (a client of a server with optional client authentication) or the session
    /// was resumed (``isResumed``: no chain was sent).
    public var peerCertificateChain: [[UInt8]] {
        X509Bridge.derChain(SSL_get0_verified_chain(ssl))
    }
}
