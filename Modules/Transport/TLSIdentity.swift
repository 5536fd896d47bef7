import COpenSSL

/// A certificate chain and its private key: what a server presents, or a client presents to a
/// server that asks for it (RFC 8446 §4.4.2).
///
/// Parsed once when created (so a bad file fails early, not at the first handshake) and shared by
/// every connection that uses it. Immutable and thread-safe.
public final class TLSIdentity: @unchecked Sendable {
    /// The leaf certificate (`X509*`).
    let certificate: OpaquePointer
    /// The intermediate certificates after the leaf, in order (`X509*`).
    let chain: [OpaquePointer]
    /// The private key of the leaf (`EVP_PKEY*`).
    let privateKey: OpaquePointer

    /// Creates an identity from PEM data.
    /// - Parameters:
    ///   - certificateChainPEM: the leaf certificate first, then any intermediates (the
    ///     `certificate_list` order of RFC 8446 §4.4.2); the root may be left out.
    ///   - privateKeyPEM: the leaf's private key (PKCS #8, RSA or EC PEM), not encrypted.
    /// - Throws: ``TransportError/Kind/tlsConfiguration(_:)`` for bad PEM or a key that does not
    ///   belong to the certificate.
    public init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) throws(TransportError) {
        let certificates = try OpenSSL.certificates(pem: certificateChainPEM, what: "certificate chain")
        let key: OpaquePointer
        do {
            key = try OpenSSL.privateKey(pem: privateKeyPEM, what: "private key")
        } catch {
            for certificate in certificates { X509_free(certificate) }
            throw error
        }
        self.certificate = certificates[0]
        self.chain = Array(certificates.dropFirst())
        self.privateKey = key
        guard X509_check_private_key(certificate, privateKey) == 1 else {
            throw OpenSSL.configurationError("the private key does not match the certificate")
        }
    }

    /// Creates an identity from PEM files.
    /// - Parameters:
    ///   - certificateChainFile: path of the PEM chain, leaf first.
    ///   - privateKeyFile: path of the PEM private key, not encrypted.
    /// - Throws: ``TransportError/Kind/tlsConfiguration(_:)`` when a file cannot be read or parsed,
    ///   or the key does not belong to the certificate.
    public convenience init(certificateChainFile: String, privateKeyFile: String) throws(TransportError) {
        try self.init(
            certificateChainPEM: try OpenSSL.readFile(certificateChainFile),
            privateKeyPEM: try OpenSSL.readFile(privateKeyFile))
    }

    deinit {
        X509_free(certificate)
        for certificate in chain { X509_free(certificate) }
        EVP_PKEY_free(privateKey)
    }

    /// The leaf certificate in DER.
    public var certificateDER: [UInt8] { X509Bridge.der(certificate) }

    /// Makes `context` (`SSL_CTX*`) present this identity.
    func install(onContext context: OpaquePointer) throws(TransportError) {
        ERR_clear_error()
        guard SSL_CTX_use_certificate(context, certificate) == 1,
              SSL_CTX_use_PrivateKey(context, privateKey) == 1 else {
            throw OpenSSL.configurationError("cannot use the certificate")
        }
        for intermediate in chain where shim_SSL_CTX_add1_chain_cert(context, intermediate) != 1 {
            throw OpenSSL.configurationError("cannot use the certificate chain")
        }
    }

    /// Makes one connection (`SSL*`) present this identity instead of its context's (SNI).
    func install(onConnection ssl: OpaquePointer) -> Bool {
        ERR_clear_error()
        guard SSL_use_certificate(ssl, certificate) == 1, SSL_use_PrivateKey(ssl, privateKey) == 1,
              shim_SSL_clear_chain_certs(ssl) == 1 else { return false }
        return chain.allSatisfy { shim_SSL_add1_chain_cert(ssl, $0) == 1 }
    }
}
