/// The certificate authorities that a peer's certificate chain must lead to (RFC 5280 §6.1:
/// the "trust anchor" of path validation).
public enum TLSTrustRoots: Hashable, Sendable {
    /// The system's trust store, as OpenSSL finds it by default (`SSL_CTX_set_default_verify_paths`;
    /// on Debian and Ubuntu `/etc/ssl/certs`, from the `ca-certificates` package). OpenSSL's
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` environment variables override the location. Loaded once
    /// per process and shared by every connection.
    case system
    /// The PEM certificates in the file at this path (a CA bundle).
    case pemFile(String)
    /// These PEM certificates (one or more `-----BEGIN CERTIFICATE-----` blocks).
    case pem([UInt8])
}
