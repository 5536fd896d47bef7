import COpenSSL

/// Reading X.509 certificates (RFC 5280) through OpenSSL: DER, names, validity, subjectAltName.
/// Every pointer argument is borrowed (`X509*`, `STACK_OF(X509)*`); nothing is retained.
enum X509Bridge {
    /// The certificate in DER (RFC 5280 §4.1).
    static func der(_ certificate: OpaquePointer) -> [UInt8] {
        let length = Int(i2d_X509(certificate, nil))
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var cursor = buffer.baseAddress
            let written = i2d_X509(certificate, &cursor)
            initialized = written == length ? length : 0
        }
    }

    /// Every certificate of a `STACK_OF(X509)` in DER, in stack order.
    static func derChain(_ stack: OpaquePointer?) -> [[UInt8]] {
        guard let stack else { return [] }
        return (0..<Int(shim_sk_X509_num(stack))).compactMap { index in
            shim_sk_X509_value(stack, Int32(index)).map(der)
        }
    }

    /// The subject in RFC 2253 form, e.g. "CN=localhost,O=Example".
    static func subject(_ certificate: OpaquePointer) -> String? {
        name(X509_get_subject_name(certificate))
    }

    /// The issuer in RFC 2253 form.
    static func issuer(_ certificate: OpaquePointer) -> String? {
        name(X509_get_issuer_name(certificate))
    }

    /// notBefore as OpenSSL prints it ("Jan  1 00:00:00 2020 GMT").
    static func notBefore(_ certificate: OpaquePointer) -> String? {
        time(X509_get0_notBefore(certificate))
    }

    /// notAfter as OpenSSL prints it.
    static func notAfter(_ certificate: OpaquePointer) -> String? {
        time(X509_get0_notAfter(certificate))
    }

    /// The dNSName and iPAddress entries of subjectAltName (RFC 5280 §4.2.1.6) as
    /// "DNS:example.com" and "IP:127.0.0.1"; the subject CN ("CN=...") when there is no
    /// subjectAltName at all.
    static func identifiers(_ certificate: OpaquePointer) -> [String] {
        guard let names = shim_subject_alt_names(certificate) else {
            return subject(certificate).map { ["subject \($0) (no subjectAltName)"] } ?? []
        }
        defer { shim_GENERAL_NAMES_free(names) }
        var found: [String] = []
        for index in 0..<shim_sk_GENERAL_NAME_num(names) {
            var data: UnsafePointer<UInt8>?
            var length: Int32 = 0
            let type = shim_general_name(names, index, &data, &length)
            guard let data, length > 0 else { continue }
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(length)))
            if type == GEN_DNS {
                found.append("DNS:" + String(decoding: bytes, as: UTF8.self))
            } else if type == GEN_IPADD, let address = ipAddress(bytes) {
                found.append("IP:" + address)
            }
        }
        return found
    }

    /// 4 or 16 address bytes as text.
    static func ipAddress(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".")
        case 16:
            let value = bytes.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            return SocketAddress(storage: .ipv6(high: value.0, low: value.1, scopeID: 0), port: 0).host
        default:
            return nil
        }
    }

    private static func name(_ name: OpaquePointer?) -> String? {
        guard let name else { return nil }
        return printed { bio in X509_NAME_print_ex(bio, name, 0, shim_XN_FLAG_RFC2253()) >= 0 }
    }

    private static func time(_ time: UnsafePointer<ASN1_TIME>?) -> String? {
        guard let time else { return nil }
        return printed { bio in ASN1_TIME_print(bio, time) == 1 }
    }

    /// What `print` writes into a memory BIO, as text.
    private static func printed(_ print: (OpaquePointer) -> Bool) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard print(bio) else { return nil }
        var data: UnsafeMutablePointer<CChar>?
        let length = shim_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return nil }
        return UnsafeRawBufferPointer(start: data, count: length).withMemoryRebound(to: UInt8.self) {
            String(decoding: $0, as: UTF8.self)
        }
    }
}
