import COpenSSL

extension TLSContext {
    /// Makes the context verify peers against `roots` (RFC 5280 §6.1 trust anchors).
    func loadTrustRoots(_ roots: TLSTrustRoots) throws(TransportError) {
        ERR_clear_error()
        switch roots {
        case .system:
            if let shared = SystemTrustStore.shared.store {
                SSL_CTX_set1_cert_store(pointer, shared)
            } else if SSL_CTX_set_default_verify_paths(pointer) != 1 {
                throw OpenSSL.configurationError("cannot load the system trust store")
            }
        case .pemFile(let path):
            guard SSL_CTX_load_verify_file(pointer, path) == 1 else {
                throw OpenSSL.configurationError("cannot load CA certificates from \(path)")
            }
        case .pem(let pem):
            let certificates = try OpenSSL.certificates(pem: pem, what: "trust roots")
            defer { for certificate in certificates { X509_free(certificate) } }
            let store = SSL_CTX_get_cert_store(pointer)
            for certificate in certificates where X509_STORE_add_cert(store, certificate) != 1 {
                throw OpenSSL.configurationError("cannot add a trust root")
            }
        }
    }

    /// Server: ask for (or require) client certificates verified against the given roots, and
    /// name those roots' subjects in CertificateRequest (RFC 8446 §4.2.4 certificate_authorities).
    func requireClientCertificates(_ policy: TLSServerConfiguration.ClientAuthentication) throws(TransportError) {
        let roots: TLSTrustRoots
        switch policy {
        case .none:
            SSL_CTX_set_verify(pointer, SSL_VERIFY_NONE, nil)
            return
        case .optional(let trusted):
            roots = trusted
            SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
        case .required(let trusted):
            roots = trusted
            SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        try loadTrustRoots(roots)
        try announceCertificateAuthorities(roots)
        // Resumed sessions must carry the verified client identity: OpenSSL refuses resumption
        // with verification on unless the context has a session id context.
        let name = Array("SwiftWebSocket".utf8)
        _ = name.withUnsafeBufferPointer { SSL_CTX_set_session_id_context(pointer, $0.baseAddress, UInt32($0.count)) }
    }

    private func announceCertificateAuthorities(_ roots: TLSTrustRoots) throws(TransportError) {
        switch roots {
        case .system:
            return  // hundreds of names: clients choose on their own
        case .pemFile(let path):
            if let names = SSL_load_client_CA_file(path) { SSL_CTX_set_client_CA_list(pointer, names) }
            ERR_clear_error()
        case .pem(let pem):
            let certificates = try OpenSSL.certificates(pem: pem, what: "client trust roots")
            defer { for certificate in certificates { X509_free(certificate) } }
            for certificate in certificates { _ = SSL_CTX_add_client_CA(pointer, certificate) }
        }
    }
}

/// The system trust store, loaded once per process (parsing the distribution's CA bundle costs
/// milliseconds) and shared by every client context; `X509_STORE` is thread-safe.
final class SystemTrustStore: @unchecked Sendable {
    static let shared = SystemTrustStore()

    /// The `X509_STORE*`, nil if OpenSSL could not create it. Never freed.
    let store: OpaquePointer?

    private init() {
        let store = X509_STORE_new()
        if let store, X509_STORE_set_default_paths(store) != 1 {
            ERR_clear_error()
        }
        self.store = store
    }
}
