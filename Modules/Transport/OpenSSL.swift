import COpenSSL

/// The small helpers every OpenSSL bridge file shares: the error queue, memory and file BIOs,
/// PEM parsing. Unsafe code lives here and in the other `TLS*`/`X509*` bridge files only; no
/// pointer leaves the closure that lends it.
enum OpenSSL {
    /// Drains this thread's OpenSSL error queue (oldest first).
    static func takeErrors() -> [UInt] {
        var errors: [UInt] = []
        while true {
            let error = ERR_get_error()
            if error == 0 { return errors }
            errors.append(error)
        }
    }

    /// The reason text of one queued error, e.g. "certificate verify failed".
    static func reason(_ error: UInt) -> String {
        if let text = ERR_reason_error_string(error) { return String(cString: text) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            guard let base = buffer.baseAddress else { return "OpenSSL error \(error)" }
            ERR_error_string_n(error, base, 256)
            return String(cString: base)
        }
    }

    /// The queued errors as one line (distinct reasons joined with ": "), or `fallback` when the
    /// queue is empty. Drains the queue.
    static func errorDescription(or fallback: String) -> String {
        var reasons: [String] = []
        for error in takeErrors() {
            let text = reason(error)
            if !reasons.contains(text) { reasons.append(text) }
        }
        return reasons.isEmpty ? fallback : reasons.joined(separator: ": ")
    }

    /// A ``TransportError/Kind/tlsConfiguration(_:)`` naming what failed, with OpenSSL's reasons.
    static func configurationError(_ what: String) -> TransportError {
        TransportError(.tlsConfiguration("\(what): \(errorDescription(or: "unknown OpenSSL error"))"))
    }

    /// Runs `body` with a read-only memory BIO over `bytes`; the BIO is freed afterwards.
    static func withMemoryBIO<Result>(
        _ bytes: [UInt8], _ body: (OpaquePointer) throws(TransportError) -> Result
    ) throws(TransportError) -> Result {
        let outcome: Swift.Result<Result, TransportError> = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else {
                return .failure(configurationError("BIO_new_mem_buf"))
            }
            defer { BIO_free(bio) }
            return Swift.Result { () throws(TransportError) in try body(bio) }
        }
        return try outcome.get()
    }

    /// The contents of the file at `path`, read through OpenSSL (so its errors read alike).
    static func readFile(_ path: String) throws(TransportError) -> [UInt8] {
        ERR_clear_error()
        guard let bio = BIO_new_file(path, "rb") else { throw configurationError("cannot open \(path)") }
        defer { BIO_free(bio) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { break }
            contents.append(contentsOf: chunk[0..<Int(count)])
        }
        return contents
    }

    /// Every certificate in `pem`, in order (caller frees each with `X509_free`).
    /// - Throws: ``TransportError/Kind/tlsConfiguration(_:)`` when there is none or one is bad.
    static func certificates(pem: [UInt8], what: String) throws(TransportError) -> [OpaquePointer] {
        ERR_clear_error()
        let found: [OpaquePointer] = try withMemoryBIO(pem) { bio in
            var certificates: [OpaquePointer] = []
            while let certificate = shim_PEM_read_bio_X509(bio) { certificates.append(certificate) }
            return certificates
        }
        // Reading stops with "no start line" at the end of the data: expected, not an error.
        let errors = takeErrors().filter { shim_ERR_GET_REASON($0) != PEM_R_NO_START_LINE }
        guard !found.isEmpty, errors.isEmpty else {
            for certificate in found { X509_free(certificate) }
            let detail = errors.first.map(reason) ?? "no PEM certificate found"
            throw TransportError(.tlsConfiguration("\(what): \(detail)"))
        }
        return found
    }

    /// The private key in `pem` (caller frees it with `EVP_PKEY_free`). Encrypted keys are
    /// refused rather than prompting for a password.
    static func privateKey(pem: [UInt8], what: String) throws(TransportError) -> OpaquePointer {
        ERR_clear_error()
        let key = try withMemoryBIO(pem) { bio in shim_PEM_read_bio_PrivateKey(bio) }
        guard let key else { throw configurationError("\(what): no usable PEM private key (encrypted keys are not supported)") }
        ERR_clear_error()
        return key
    }
}
