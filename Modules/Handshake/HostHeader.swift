/// The `Host` header of a WebSocket request (RFC 6455 §4.1 item 4, RFC 7230 §5.4,
/// RFC 3986 §3.2.2): `uri-host [ ":" port ]`, with IPv6 literals in brackets.
package enum HostHeader {
    /// The `Host` value for connecting to `host`:`port`.
    ///
    /// - `host` may be a registered name, an IPv4 address, or an IPv6 literal with or without
    ///   brackets (`::1` and `[::1]` both give `[::1]`; RFC 3986 §3.2.2). International names
    ///   must already be in their ASCII (Punycode) form.
    /// - The port is written only when it is not the scheme's default (RFC 6455 §4.1 item 4:
    ///   "the port ... if it is not the default port"; 80 for `ws`, 443 for `wss`, §3).
    static func value(host: String, port: Int?, isSecure: Bool) throws(HandshakeError) -> String {
        let literal = try hostLiteral(host)
        guard let port else { return literal }
        guard (1...65535).contains(port) else { throw HandshakeError(.invalidPort(port)) }
        return port == (isSecure ? 443 : 80) ? literal : literal + ":" + String(port)
    }

    /// Whether a received `Host` value is `uri-host [ ":" port ]` (RFC 7230 §5.4: "A server
    /// MUST respond with a 400 (Bad Request) status code to ... a Host header field with an
    /// invalid field-value").
    static func isValidFieldValue(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        let hostEnd: Int
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")),
                isIPv6Literal(bytes[1..<close]) else { return false }
            hostEnd = close + 1
        } else {
            hostEnd = bytes.firstIndex(of: HTTPGrammar.colon) ?? bytes.count
            guard hostEnd > 0, bytes[..<hostEnd].allSatisfy(isRegisteredNameCharacter) else { return false }
        }
        let rest = bytes[hostEnd...]
        guard let first = rest.first else { return true }
        return first == HTTPGrammar.colon && rest.dropFirst().allSatisfy(isDigit)
    }

    /// The host as it appears in `Host`: IPv6 literals bracketed and without a zone ID (RFC 6874
    /// §4: "An HTTP client, proxy, or other intermediary MUST remove any ZoneID attached to an
    /// outgoing URI, as it has only local significance at the sending host").
    private static func hostLiteral(_ host: String) throws(HandshakeError) -> String {
        let bytes = Array(host.utf8)
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.count > 2, bytes.last == UInt8(ascii: "]"),
                isIPv6Literal(bytes[1..<(bytes.count - 1)]) else { throw HandshakeError(.invalidHost) }
            return "[" + withoutZone(bytes[1..<(bytes.count - 1)]) + "]"
        }
        if bytes.contains(HTTPGrammar.colon) {
            guard isIPv6Literal(bytes[...]) else { throw HandshakeError(.invalidHost) }
            return "[" + withoutZone(bytes[...]) + "]"
        }
        guard !bytes.isEmpty, bytes.allSatisfy(isRegisteredNameCharacter) else {
            throw HandshakeError(.invalidHost)
        }
        return host
    }

    /// An IPv6 literal up to its zone ID (`%...`), if it has one.
    private static func withoutZone(_ literal: ArraySlice<UInt8>) -> String {
        String(decoding: literal.prefix { $0 != UInt8(ascii: "%") }, as: UTF8.self)
    }

    /// Hex digits, `:` and `.` (IPv4-mapped), plus a zone ID after `%` (RFC 6874). A loose
    /// check: it keeps out everything that could break the header, not every invalid address.
    private static func isIPv6Literal(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains(HTTPGrammar.colon) && bytes.allSatisfy { byte in
            isUnreserved(byte) || byte == HTTPGrammar.colon || byte == UInt8(ascii: "%")
        }
    }

    /// `reg-name = *( unreserved / pct-encoded / sub-delims )` characters (RFC 3986 §3.2.2).
    private static func isRegisteredNameCharacter(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || Array("%!$&'()*+,;=".utf8).contains(byte)
    }

    /// `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"` (RFC 3986 §2.3); also what the client's
    /// URL parser allows in an IPv6 zone ID.
    package static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
