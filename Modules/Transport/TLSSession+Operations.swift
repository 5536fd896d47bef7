import COpenSSL

extension TLSSession {
    /// Advances the handshake with the ciphertext fed so far.
    /// - Returns: true once the handshake is complete; false when it needs more ciphertext
    ///   (after sending ``takeCiphertext()``).
    /// - Throws: ``TransportError/Kind/certificate(_:)`` when the peer's certificate is refused,
    ///   ``TransportError/Kind/tls(reason:)`` for any other failure (an alert to send may be
    ///   waiting in ``takeCiphertext()``).
    public func handshake() throws(TransportError) -> Bool {
        if let failure { throw failure }
        guard !isHandshakeComplete else { return true }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshakeComplete = true
            return true
        }
        let code = SSL_get_error(ssl, result)
        guard code != SSL_ERROR_WANT_READ, code != SSL_ERROR_WANT_WRITE else { return false }
        throw fail(handshakeError(code))
    }

    /// Decrypts buffered records into `buffer`.
    /// - Parameter buffer: where the plaintext goes.
    /// - Returns: the number of bytes, ``ReadResult/needsCiphertext``, or ``ReadResult/closed``
    ///   once the peer's `close_notify` arrived.
    /// - Throws: ``TransportError/Kind/tls(reason:)`` for a bad record or a fatal alert.
    public func readPlaintext(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> ReadResult {
        if let failure { throw failure }
        guard !receivedCloseNotify else { return .closed }
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .bytes(0) }
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(ssl, base, buffer.count, &count)
        if result == 1 { return .bytes(count) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .needsCiphertext
        case SSL_ERROR_ZERO_RETURN:
            receivedCloseNotify = true
            return .closed
        case let code:
            throw fail(recordError(code))
        }
    }

    /// Decrypts what is buffered, up to `maxCount` bytes.
    /// - Returns: the plaintext (empty when more ciphertext is needed), nil after `close_notify`.
    public func readPlaintext(maxCount: Int = 16 * 1024) throws(TransportError) -> [UInt8]? {
        var result = ReadResult.needsCiphertext
        let bytes = try [UInt8](unsafeUninitializedCapacity: max(1, maxCount)) { (buffer, initialized) throws(TransportError) in
            result = try readPlaintext(into: UnsafeMutableRawBufferPointer(buffer))
            if case .bytes(let count) = result { initialized = count } else { initialized = 0 }
        }
        return result == .closed ? nil : bytes
    }

    /// Encrypts `plaintext` into records (RFC 8446 §5.2) waiting in ``takeCiphertext()``.
    /// - Throws: ``TransportError/Kind/tls(reason:)`` before the handshake completed, after our
    ///   ``shutdown()``, or when OpenSSL fails.
    public func writePlaintext(_ plaintext: UnsafeRawBufferPointer) throws(TransportError) {
        if let failure { throw failure }
        guard isHandshakeComplete, !sentCloseNotify else {
            let reason = sentCloseNotify ? "write after close_notify" : "write before the handshake completed"
            throw TransportError(.tls(reason: reason))
        }
        guard let base = plaintext.baseAddress, !plaintext.isEmpty else { return }
        ERR_clear_error()
        var written = 0
        let result = SSL_write_ex(ssl, base, plaintext.count, &written)
        guard result == 1 else { throw fail(recordError(SSL_get_error(ssl, result))) }
    }

    /// Encrypts `plaintext`; see ``writePlaintext(_:)-(UnsafeRawBufferPointer)``.
    public func writePlaintext(_ plaintext: [UInt8]) throws(TransportError) {
        try plaintext.withUnsafeBytes { raw in
            Result { () throws(TransportError) in try writePlaintext(raw) }
        }.get()
    }

    /// Encrypts `header` and `payload` as if they were one buffer, sharing the first record so
    /// that a small frame costs one record, not two.
    public func writePlaintext(header: [UInt8], payload: [UInt8]) throws(TransportError) {
        let record = 16 * 1024  // RFC 8446 §5.1: at most 2^14 bytes of plaintext per record
        let first = min(payload.count, max(0, record - header.count))
        try withUnsafeTemporaryAllocation(byteCount: header.count + first, alignment: 1) { joined in
            joined.copyBytes(from: header)
            payload.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: joined[header.count...])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<first]))
            }
            return Result { () throws(TransportError) in try writePlaintext(UnsafeRawBufferPointer(joined)) }
        }.get()
        guard first < payload.count else { return }
        try payload.withUnsafeBytes { raw in
            Result { () throws(TransportError) in try writePlaintext(UnsafeRawBufferPointer(rebasing: raw[first...])) }
        }.get()
    }

    /// Queues our `close_notify` alert (RFC 8446 §6.1: "Each party MUST send a "close_notify"
    /// alert before closing its write side of the connection, unless it has already sent some
    /// error alert"). Does not wait for the peer's. Idempotent; nothing before the handshake.
    public func shutdown() {
        guard isHandshakeComplete, failure == nil, !sentCloseNotify else { return }
        sentCloseNotify = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func fail(_ error: TransportError) -> TransportError {
        failure = error
        return error
    }

    /// Why the handshake failed, in the most specific words available.
    private func handshakeError(_ code: Int32) -> TransportError {
        if let certificateFailure {
            ERR_clear_error()
            return TransportError(.certificate(certificateFailure))
        }
        let errors = OpenSSL.takeErrors()
        if errors.contains(where: { shim_ERR_GET_REASON($0) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE }) {
            return TransportError(.certificate(CertificateError(.missing, openSSLReason: "peer did not return a certificate")))
        }
        return TransportError(.tls(reason: Self.describe(errors, code: code, during: "handshake")))
    }

    private func recordError(_ code: Int32) -> TransportError {
        TransportError(.tls(reason: Self.describe(OpenSSL.takeErrors(), code: code, during: "record")))
    }

    private static func describe(_ errors: [UInt], code: Int32, during phase: String) -> String {
        var reasons: [String] = []
        for error in errors where !reasons.contains(OpenSSL.reason(error)) { reasons.append(OpenSSL.reason(error)) }
        return reasons.isEmpty ? "\(phase) failed (SSL_get_error \(code))" : reasons.joined(separator: ": ")
    }
}
