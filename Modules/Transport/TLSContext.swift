import COpenSSL

/// Prepared TLS settings (an OpenSSL `SSL_CTX`) from which each connection's ``TLSSession`` is
/// made: certificates and keys parsed, trust roots loaded, protocol versions and ALPN set.
///
/// Make one per configuration and share it: creating a context reads files, creating a session
/// from it is cheap. Immutable and thread-safe once created.
public final class TLSContext: @unchecked Sendable {
    /// Which side of the handshake sessions of this context play.
    public enum Role: Hashable, Sendable {
        /// Connects and verifies the server (RFC 8446 §2: the client sends ClientHello).
        case client
        /// Accepts connections and presents a certificate.
        case server
    }

    /// The sessions' side.
    public let role: Role
    /// Whether a TCP close without `close_notify` counts as a normal end (see
    /// ``TLSConfiguration/allowsUncleanShutdown``).
    public let allowsUncleanShutdown: Bool
    /// The `SSL_CTX*`, freed in `deinit`.
    let pointer: OpaquePointer
    /// Client: the name verified and sent as SNI instead of the connect host.
    let serverNameOverride: String?
    let verificationHook: TLSVerificationHook?
    let serverNameHandler: (@Sendable (String) -> TLSIdentity?)?
    /// Client: sessions to resume, per server name (``TLSConfiguration/resumesSessions``).
    let sessionCache: TLSSessionCache?
    /// Server: the ALPN list, one length byte then the wire format; outlives `pointer`.
    private var alpnSelection: UnsafeMutableRawBufferPointer?

    private init(
        role: Role, allowsUncleanShutdown: Bool, serverNameOverride: String?, verificationHook: TLSVerificationHook?,
        serverNameHandler: (@Sendable (String) -> TLSIdentity?)?, sessionCache: TLSSessionCache? = nil
    ) throws(TransportError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(role == .client ? TLS_client_method() : TLS_server_method()) else {
            throw OpenSSL.configurationError("SSL_CTX_new")
        }
        self.pointer = context
        self.role = role
        self.allowsUncleanShutdown = allowsUncleanShutdown
        self.serverNameOverride = serverNameOverride
        self.verificationHook = verificationHook
        self.serverNameHandler = serverNameHandler
        self.sessionCache = sessionCache
    }

    /// Prepares the client side of `wss://` connections.
    /// - Parameter configuration: what to trust, our optional certificate, ALPN, versions.
    /// - Throws: ``TransportError/Kind/tlsConfiguration(_:)`` when a file cannot be read, PEM is
    ///   bad, or an ALPN name is empty or longer than 255 bytes.
    public convenience init(client configuration: TLSConfiguration) throws(TransportError) {
        try self.init(
            role: .client, allowsUncleanShutdown: configuration.allowsUncleanShutdown,
            serverNameOverride: configuration.serverName, verificationHook: configuration.verificationHook,
            serverNameHandler: nil,
            sessionCache: configuration.resumesSessions && configuration.verificationHook == nil ? TLSSessionCache() : nil)
        try applyCommon(minimumVersion: configuration.minimumVersion, maximumVersion: configuration.maximumVersion)
        // RFC 8446 §4.4.2.4 / RFC 5246 §7.4.2: the client always verifies the server.
        SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
        if sessionCache != nil {
            _ = shim_SSL_CTX_set_client_session_cache(pointer)
            SSL_CTX_sess_set_new_cb(pointer, tlsNewSessionCallback)
        }
        try loadTrustRoots(configuration.trustRoots)
        try configuration.identity?.install(onContext: pointer)
        try offerApplicationProtocols(configuration.applicationProtocols)
    }

    /// Prepares the server side.
    /// - Parameter configuration: our certificate, client-certificate policy, SNI, ALPN.
    /// - Throws: ``TransportError/Kind/tlsConfiguration(_:)`` when the identity cannot be used,
    ///   client trust roots cannot be loaded, or an ALPN name is invalid.
    public convenience init(server configuration: TLSServerConfiguration) throws(TransportError) {
        try self.init(
            role: .server, allowsUncleanShutdown: configuration.allowsUncleanShutdown, serverNameOverride: nil,
            verificationHook: configuration.verificationHook, serverNameHandler: configuration.serverNameHandler)
        try applyCommon(minimumVersion: configuration.minimumVersion, maximumVersion: configuration.maximumVersion)
        try configuration.identity.install(onContext: pointer)
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw OpenSSL.configurationError("the private key does not match the certificate")
        }
        // Resumption needs a session ID context once client certificates are requested (else
        // OpenSSL fails the resuming handshake); one name for every context of this library.
        let sessionContext = Array("SwiftWebSocket".utf8)
        _ = SSL_CTX_set_session_id_context(pointer, sessionContext, UInt32(sessionContext.count))
        try requireClientCertificates(configuration.clientAuthentication)
        try acceptApplicationProtocols(configuration.applicationProtocols)
        if configuration.serverNameHandler != nil {
            _ = shim_SSL_CTX_set_tlsext_servername_callback(pointer, tlsServerNameCallback)
        }
    }

    deinit {
        SSL_CTX_free(pointer)
        alpnSelection?.deallocate()
    }

    /// Versions, modes and options of both roles, and the verification callback that records
    /// readable errors and runs the hook.
    private func applyCommon(minimumVersion: TLSVersion, maximumVersion: TLSVersion?) throws(TransportError) {
        guard shim_SSL_CTX_set_min_proto_version(pointer, Int32(minimumVersion.rawValue)) == 1,
              shim_SSL_CTX_set_max_proto_version(pointer, Int32(maximumVersion?.rawValue ?? 0)) == 1 else {
            throw OpenSSL.configurationError("cannot set the TLS versions")
        }
        if let maximumVersion, maximumVersion < minimumVersion {
            throw TransportError(.tlsConfiguration("maximum version \(maximumVersion) is below the minimum \(minimumVersion)"))
        }
        _ = shim_SSL_CTX_set_mode_release_buffers(pointer)
        shim_SSL_CTX_set_secure_options(pointer)
        SSL_CTX_set_cert_verify_callback(pointer, tlsCertificateVerifyCallback, nil)
    }

    /// RFC 7301 §3.1: the client's `ProtocolNameList` in its wire format.
    private func offerApplicationProtocols(_ protocols: [String]) throws(TransportError) {
        guard !protocols.isEmpty else { return }
        let wire = try Self.wireFormat(protocols)
        let result = wire.withUnsafeBufferPointer { SSL_CTX_set_alpn_protos(pointer, $0.baseAddress, UInt32($0.count)) }
        // SSL_CTX_set_alpn_protos returns 0 on success.
        guard result == 0 else { throw OpenSSL.configurationError("cannot set ALPN") }
    }

    /// RFC 7301 §3.2: the server picks from `protocols`, in its own order of preference.
    private func acceptApplicationProtocols(_ protocols: [String]) throws(TransportError) {
        guard !protocols.isEmpty else { return }
        let wire = try Self.wireFormat(protocols)
        guard wire.count <= 255 else { throw TransportError(.tlsConfiguration("ALPN list longer than 255 bytes")) }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: wire.count + 1, alignment: 1)
        storage[0] = UInt8(wire.count)
        for (offset, byte) in wire.enumerated() { storage[offset + 1] = byte }
        alpnSelection = storage
        if let base = storage.baseAddress {
            shim_SSL_CTX_set_alpn_select(pointer, base.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Each name as one length byte and its bytes (RFC 7301 §3.1: "opaque ProtocolName<1..2^8-1>").
    static func wireFormat(_ protocols: [String]) throws(TransportError) -> [UInt8] {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TransportError(.tlsConfiguration("ALPN protocol name must be 1...255 bytes: \"\(name)\""))
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }
}
