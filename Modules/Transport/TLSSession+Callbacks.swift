import COpenSSL

/// OpenSSL's certificate verification hook (`SSL_CTX_set_cert_verify_callback`): runs the
/// standard path validation, then the application's hook, and records a readable error.
let tlsCertificateVerifyCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { store, _ in
    guard let store, let session = TLSSession.owning(store: store) else { return 0 }
    return session.verifyPeer(store) ? 1 : 0
}

/// OpenSSL's SNI callback (`SSL_CTX_set_tlsext_servername_callback`): lets the server's
/// `serverNameHandler` pick the certificate (RFC 6066 §3).
let tlsServerNameCallback: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?
) -> Int32 = { ssl, _, _ in
    guard let ssl, let session = TLSSession.owning(ssl: ssl) else { return SSL_TLSEXT_ERR_OK }
    return session.selectIdentityForServerName() ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_ALERT_FATAL
}

extension TLSSession {
    /// The session stored in an `SSL*` by `init`.
    static func owning(ssl: OpaquePointer) -> TLSSession? {
        guard let raw = SSL_get_ex_data(ssl, 0) else { return nil }
        return Unmanaged<TLSSession>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The session whose handshake is verifying with this `X509_STORE_CTX*`.
    static func owning(store: OpaquePointer) -> TLSSession? {
        guard let raw = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()) else { return nil }
        return owning(ssl: OpaquePointer(raw))
    }

    /// RFC 5280 §6 path validation plus RFC 6125 host name (both inside `X509_verify_cert`),
    /// then the hook on the verified chain.
    func verifyPeer(_ store: OpaquePointer) -> Bool {
        guard X509_verify_cert(store) == 1 else {
            certificateFailure = certificateError(store)
            return false
        }
        guard let hook = context.verificationHook else { return true }
        guard hook(X509Bridge.derChain(X509_STORE_CTX_get0_chain(store))) else {
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
            certificateFailure = certificateError(store)
            return false
        }
        return true
    }

    /// Reads the failure out of `store`: its code, OpenSSL's text and the offending certificate.
    private func certificateError(_ store: OpaquePointer) -> CertificateError {
        let code = X509_STORE_CTX_get_error(store)
        let text = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
        let certificate = X509_STORE_CTX_get_current_cert(store)
        let reason = self.reason(code, certificate)
        guard let certificate else { return CertificateError(reason, verifyCode: Int(code), openSSLReason: text) }
        return CertificateError(
            reason, verifyCode: Int(code), openSSLReason: text, subject: X509Bridge.subject(certificate),
            issuer: X509Bridge.issuer(certificate), notBefore: X509Bridge.notBefore(certificate),
            notAfter: X509Bridge.notAfter(certificate))
    }

    private func reason(_ code: Int32, _ certificate: OpaquePointer?) -> CertificateError.Reason {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return .expired
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return .notYetValid
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return .hostNameMismatch(expected: serverName ?? "?", presented: certificate.map(X509Bridge.identifiers) ?? [])
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return .unknownAuthority
        case X509_V_ERR_APPLICATION_VERIFICATION:
            return .rejectedByHook
        default:
            return .other
        }
    }

    /// Server SNI: installs the identity the handler picks for the requested name.
    func selectIdentityForServerName() -> Bool {
        guard let handler = context.serverNameHandler, let name = requestedServerName,
              let identity = handler(name) else { return true }
        return identity.install(onConnection: ssl)
    }
}
