import WebSocketDriver

/// A proxy URL as proxy environment variables and curl write it:
/// `[scheme://][user:password@]host[:port][/]`, the scheme `http` when absent, port 1080 when
/// absent (curl's), percent-encoded credentials decoded (RFC 3986 §3.2.1). Error messages show
/// the URL without its credentials.
struct ProxyURL {
    /// The scheme, lowercased; `http` when the URL names none.
    let scheme: String
    let host: String
    let port: Int
    /// The user information's username and password, decoded; nil when the URL has none.
    let credentials: (String, String)?
    /// The URL without its credentials, for messages.
    let shown: String

    /// The port of a proxy URL that names none: curl's.
    static let defaultPort = 1080

    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for a path, a query or
    ///   fragment, or a bad host or port.
    init(_ url: String) throws {
        shown = Self.redacted(url)
        var rest = Substring(url)
        var scheme = "http"
        if let separator = rest.firstRange(of: "://") {
            scheme = rest[..<separator.lowerBound].lowercased()
            rest = rest[separator.upperBound...]
        }
        self.scheme = scheme
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw WebSocketError(.invalidURL("proxy \(shown): a proxy URL has no path"))
        }
        var credentials: (String, String)?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            let colon = userinfo.firstIndex(of: ":") ?? userinfo.endIndex
            credentials = (Self.percentDecoded(userinfo[..<colon]), Self.percentDecoded(userinfo[colon...].dropFirst()))
            rest = rest[rest.index(after: at)...]
        }
        self.credentials = credentials
        do {
            let address = try WebSocketURL("ws://" + rest)
            host = address.host
            port = address.hasExplicitPort ? address.port : Self.defaultPort
        } catch {
            throw WebSocketError(.invalidURL("proxy \(shown): host and port do not parse"))
        }
    }

    /// `url` with any `user:password@` replaced by `***@`, for messages: the last `@` of the
    /// authority (before the first `/`, `?` or `#`), so that one in the path or query is kept.
    static func redacted(_ url: String) -> String {
        let schemeEnd = url.firstRange(of: "://")?.upperBound ?? url.startIndex
        let authority = url[schemeEnd...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd]) + "***" + url[at...]
    }

    /// `%XX` sequences decoded; anything else kept as it is.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            if byte == UInt8(ascii: "%"), utf8.distance(from: next, to: utf8.endIndex) >= 2,
               let value = UInt8(String(decoding: utf8[next..<utf8.index(next, offsetBy: 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(next, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = next
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
