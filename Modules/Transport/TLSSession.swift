import COpenSSL

/// One TLS connection as a byte transformer (DESIGN.md §5; swift-nio-ssl's BIO design): it never
/// touches a socket. Ciphertext from the peer goes in with ``feed(_:)-(UnsafeRawBufferPointer)``;
/// plaintext comes out of ``readPlaintext(into:)``; plaintext to send goes in with
/// ``writePlaintext(_:)-([UInt8])``; the records to send come out of ``takeCiphertext()``.
/// Built on two OpenSSL memory BIOs, so the handshake (RFC 8446 §4, RFC 5246 §7) and the
/// closure alerts (RFC 8446 §6.1) run in memory and can be tested without sockets.
///
/// After every call, send what ``takeCiphertext()`` returns: handshake messages, alerts and
/// session tickets appear there too. Not thread-safe: use a session from one thread at a time
/// (a ``Channel`` uses it on its loop). A class rather than a `~Copyable` value because OpenSSL's
/// callbacks find the session through a pointer stored in the `SSL` object, which needs a
/// stable address.
public final class TLSSession {
    /// What ``readPlaintext(into:)`` produced.
    public enum ReadResult: Hashable, Sendable {
        /// This many plaintext bytes were written to the buffer.
        case bytes(Int)
        /// No complete record is buffered: feed more ciphertext.
        case needsCiphertext
        /// The peer sent `close_notify` (RFC 8446 §6.1): no more plaintext will come.
        case closed
    }

    /// The prepared settings this session was made from.
    public let context: TLSContext
    /// Client: the host name or IP address the server's certificate is verified against.
    public let serverName: String?
    /// The `SSL*`, freed (with both BIOs) in `deinit`.
    let ssl: OpaquePointer
    /// Ciphertext from the peer (`BIO*` owned by `ssl`).
    private let input: OpaquePointer
    /// Ciphertext for the peer (`BIO*` owned by `ssl`).
    private let output: OpaquePointer

    /// Whether the handshake has completed.
    public internal(set) var isHandshakeComplete = false
    /// Whether the peer's `close_notify` arrived.
    public internal(set) var receivedCloseNotify = false
    /// Whether we queued our `close_notify` (``shutdown()``).
    public internal(set) var sentCloseNotify = false
    /// Set when a call failed: the session is unusable afterwards.
    public internal(set) var failure: TransportError?
    /// Set by the verification callback: why the peer's certificate was refused.
    var certificateFailure: CertificateError?

    /// Creates a session.
    /// - Parameters:
    ///   - context: the prepared settings; its role decides the side.
    ///   - serverName: required for a client: the DNS name or IP address to verify the server's
    ///     certificate against (RFC 6125 §6) and, for a DNS name, to send in SNI (RFC 6066 §3).
    ///     Overridden by ``TLSConfiguration/serverName``. Ignored for a server.
    /// - Throws: ``TransportError/Kind/tlsConfiguration(_:)`` when a client has no name to verify,
    ///   or OpenSSL cannot allocate the session.
    public init(context: TLSContext, serverName: String? = nil) throws(TransportError) {
        let verifiedName = context.role == .client ? (context.serverNameOverride ?? serverName).map(Self.normalized) : nil
        if context.role == .client, verifiedName?.isEmpty ?? true {
            throw TransportError(.tlsConfiguration("a client session needs the server's name to verify its certificate"))
        }
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else { throw OpenSSL.configurationError("SSL_new") }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSL.configurationError("BIO_new")
        }
        // An empty input BIO means "wait for more", not end of stream: TCP EOF is the channel's.
        _ = shim_BIO_set_mem_eof_return(input, -1)
        _ = shim_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)
        self.context = context
        self.serverName = verifiedName
        self.ssl = ssl
        self.input = input
        self.output = output
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
        if let verifiedName { try configureClient(verifying: verifiedName) } else { SSL_set_accept_state(ssl) }
        if let verifiedName, let session = context.sessionCache?.take(for: verifiedName) {
            // Offered in the ClientHello; a server that does not accept it gets a full handshake.
            SSL_set_session(ssl, session)
            SSL_SESSION_free(session)
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// RFC 6125 §6.4 and §6.4.4 through OpenSSL: DNS names against dNSName entries (no partial
    /// wildcards), IP addresses against iPAddress entries; SNI only for DNS names.
    private func configureClient(verifying name: String) throws(TransportError) {
        let parameters = SSL_get0_param(ssl)
        X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        if SocketAddress(ipAddress: name, port: 0) != nil {
            // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, name) == 1 else {
                throw OpenSSL.configurationError("cannot verify IP address \(name)")
            }
        } else {
            guard X509_VERIFY_PARAM_set1_host(parameters, name, 0) == 1,
                  shim_SSL_set_tlsext_host_name(ssl, name) == 1 else {
                throw OpenSSL.configurationError("cannot verify host name \(name)")
            }
        }
        SSL_set_connect_state(ssl)
    }

    /// A host as certificates spell it: no IPv6 brackets or zone, no trailing dot.
    static func normalized(_ host: String) -> String {
        var name = SocketAddress.stripBrackets(host)
        if let zone = name.firstIndex(of: "%"), name.contains(":") { name = String(name[..<zone]) }
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    // MARK: Ciphertext

    /// Takes ciphertext received from the peer (copied into the session).
    /// - Parameter ciphertext: bytes as read from the transport.
    public func feed(_ ciphertext: UnsafeRawBufferPointer) {
        guard let base = ciphertext.baseAddress, !ciphertext.isEmpty else { return }
        var written = 0
        _ = BIO_write_ex(input, base, ciphertext.count, &written)
    }

    /// Takes ciphertext received from the peer.
    /// - Parameter ciphertext: bytes as read from the transport.
    public func feed(_ ciphertext: [UInt8]) {
        ciphertext.withUnsafeBytes { feed($0) }
    }

    /// The number of ciphertext bytes waiting to be sent.
    public var pendingCiphertextCount: Int { Int(shim_BIO_pending(output)) }

    /// Removes and returns the ciphertext waiting to be sent (handshake messages, records,
    /// alerts); empty when there is none.
    public func takeCiphertext() -> [UInt8] {
        let count = pendingCiphertextCount
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var read = 0
            _ = BIO_read_ex(output, buffer.baseAddress, count, &read)
            initialized = read
        }
    }

    /// Whether decrypted or undecrypted input is buffered that ``readPlaintext(into:)`` would
    /// return without more ciphertext.
    public var hasBufferedInput: Bool {
        SSL_has_pending(ssl) == 1 || shim_BIO_pending(input) > 0
    }
}
