/// An extra check of the peer's certificate chain during the TLS handshake, e.g. certificate or
/// public-key pinning.
///
/// Called on the event loop thread, only after OpenSSL's standard verification succeeded (the
/// chain leads to a trust root, every certificate is within its validity period, and — for a
/// client — the host name matches, RFC 6125), with the verified chain in DER, leaf first, root
/// last. Return false to refuse the peer: the handshake fails with
/// ``CertificateError/Reason/rejectedByHook`` and the peer gets a `bad_certificate` alert.
/// The hook cannot make an untrusted certificate trusted; to accept a self-signed certificate,
/// put it in the trust roots. Keep it fast and non-blocking: it runs inside the handshake.
public typealias TLSVerificationHook = @Sendable (_ chain: [[UInt8]]) -> Bool
