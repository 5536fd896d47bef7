/// The path and query of a received request target (RFC 7230 §5.3, RFC 6455 §3).
struct RequestTarget: Hashable, Sendable {
    var path: String
    var query: String?

    init(path: String, query: String?) {
        self.path = path
        self.query = query
    }

    /// Splits an origin-form (`/chat?x`) or absolute-form (`ws://host/chat?x`) target. RFC 7230
    /// §5.3.2: "a server MUST accept the absolute-form in requests". A fragment is refused
    /// (RFC 6455 §3: fragment identifiers "MUST NOT be used on these URIs"), and so are the
    /// authority-form and asterisk-form, which are for CONNECT and OPTIONS.
    init(_ target: String) throws(HandshakeError) {
        let bytes = Array(target.utf8)
        guard bytes.allSatisfy(HTTPGrammar.isVisibleASCII), !bytes.contains(UInt8(ascii: "#")),
            let pathStart = Self.pathStart(bytes) else {
            throw HandshakeError(.invalidRequestTarget)
        }
        let rest = bytes[pathStart...]
        let questionMark = rest.firstIndex(of: UInt8(ascii: "?"))
        let path = String(decoding: rest[..<(questionMark ?? rest.endIndex)], as: UTF8.self)
        let query = questionMark.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
        self.path = path.isEmpty ? "/" : path
        self.query = query
    }

    /// Where the path starts: 0 for origin-form; after the authority for absolute-form, whose
    /// scheme is `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
    private static func pathStart(_ bytes: [UInt8]) -> Int? {
        if bytes.first == UInt8(ascii: "/") { return 0 }
        let separator = Array("://".utf8)
        guard let schemeEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }),
            schemeEnd > 0, bytes[..<schemeEnd].allSatisfy(isSchemeCharacter),
            !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[0])
        else { return nil }
        let authorityStart = schemeEnd + 3
        let end = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
        guard (end ?? bytes.count) > authorityStart else { return nil }
        return end ?? bytes.count
    }

    private static func isSchemeCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default: false
        }
    }
}
