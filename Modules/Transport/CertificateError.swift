/// Why a peer's certificate was refused during the TLS handshake: certificate path validation
/// (RFC 5280 §6), host name verification (RFC 6125 §6), or the application's verification hook.
///
/// ``description`` is a sentence a person can act on, e.g. "host name mismatch: expected
/// example.com, got DNS:localhost, IP:127.0.0.1"; ``openSSLReason`` keeps OpenSSL's own words.
public struct CertificateError: Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the certificate.
    public enum Reason: Hashable, Sendable {
        /// The current time is after the certificate's notAfter (RFC 5280 §4.1.2.5).
        case expired
        /// The current time is before the certificate's notBefore (RFC 5280 §4.1.2.5).
        case notYetValid
        /// No subjectAltName (dNSName or iPAddress) matches the name we connected to (RFC 6125
        /// §6.4, §6.4.4; RFC 2818 §3.1).
        /// - Parameters:
        ///   - expected: the host name or IP address we verified against.
        ///   - presented: the certificate's identifiers, e.g. `["DNS:localhost", "IP:127.0.0.1"]`
        ///     (its subject CN when it has no subjectAltName).
        case hostNameMismatch(expected: String, presented: [String])
        /// The chain does not lead to a trusted root: unknown issuer, self-signed certificate, or
        /// a self-signed certificate in the chain (RFC 5280 §6.1).
        case unknownAuthority
        /// The verification hook of the configuration returned false (e.g. a pin did not match).
        case rejectedByHook
        /// The peer sent no certificate although one is required (a server requiring client
        /// certificates, RFC 8446 §4.4.2.4).
        case missing
        /// Another verification failure (bad signature, revoked, wrong purpose, ...): see
        /// ``CertificateError/openSSLReason``.
        case other
    }

    /// What is wrong.
    public let reason: Reason
    /// OpenSSL's verification result (`X509_V_ERR_*`), 0 when not from path validation.
    public let verifyCode: Int
    /// OpenSSL's text for the failure, e.g. "certificate has expired",
    /// "unable to get local issuer certificate".
    public let openSSLReason: String
    /// The subject of the offending certificate (RFC 2253 form), when known.
    public let subject: String?
    /// Its issuer (RFC 2253 form), when known.
    public let issuer: String?
    /// Its validity period as OpenSSL prints it ("Jan  2 00:00:00 2020 GMT"), when known.
    public let notBefore: String?
    /// See ``notBefore``.
    public let notAfter: String?

    /// Creates an error.
    /// - Parameters:
    ///   - reason: what is wrong.
    ///   - verifyCode: OpenSSL's `X509_V_ERR_*` value (0 if none).
    ///   - openSSLReason: OpenSSL's text.
    ///   - subject: the offending certificate's subject.
    ///   - issuer: its issuer.
    ///   - notBefore: start of its validity.
    ///   - notAfter: end of its validity.
    public init(
        _ reason: Reason, verifyCode: Int = 0, openSSLReason: String, subject: String? = nil,
        issuer: String? = nil, notBefore: String? = nil, notAfter: String? = nil
    ) {
        self.reason = reason
        self.verifyCode = verifyCode
        self.openSSLReason = openSSLReason
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// The reason in words, then the certificate and OpenSSL's reason, e.g. "certificate has
    /// expired (not valid after Jan  2 00:00:00 2020 GMT) [subject CN=localhost; OpenSSL:
    /// certificate has expired]".
    public var description: String {
        var details: [String] = []
        if let subject { details.append("subject \(subject)") }
        if reason == .unknownAuthority, let issuer { details.append("issuer \(issuer)") }
        details.append("OpenSSL: \(openSSLReason)")
        return "\(summary) [\(details.joined(separator: "; "))]"
    }

    /// The reason as a sentence.
    var summary: String {
        switch reason {
        case .expired:
            return "certificate has expired" + (notAfter.map { " (not valid after \($0))" } ?? "")
        case .notYetValid:
            return "certificate is not yet valid" + (notBefore.map { " (not valid before \($0))" } ?? "")
        case .hostNameMismatch(let expected, let presented):
            let got = presented.isEmpty ? "no DNS name or IP address" : presented.joined(separator: ", ")
            return "host name mismatch: expected \(expected), got \(got)"
        case .unknownAuthority:
            return "unknown CA: \(openSSLReason); add the issuing CA to the trust roots"
        case .rejectedByHook:
            return "certificate rejected by the verification hook"
        case .missing:
            return "no certificate presented, but one is required"
        case .other:
            return "certificate verification failed: \(openSSLReason)"
        }
    }
}
