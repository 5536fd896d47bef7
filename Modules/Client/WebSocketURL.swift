import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport

/// A parsed `ws://` or `wss://` URL (RFC 6455 §3).
public struct WebSocketURL: Hashable, Sendable {
    /// Whether the scheme is `wss`.
    public var isSecure: Bool
    /// The host, without IPv6 brackets; an IPv6 zone ID as `%zone` (the URL's `%25zone`).
    public var host: String
    /// The port: explicit, or 80/443 by scheme.
    public var port: Int
    /// Whether the URL named the port.
    public var hasExplicitPort: Bool
    /// The path and query, starting with `/` (the request target of RFC 6455 §4.1).
    public var requestTarget: String
    /// The user information's name (`ws://alice:secret@host/`, RFC 3986 §3.2.1), percent-decoded;
    /// nil when the URL has none. With ``password`` it is sent as `Authorization: Basic`
    /// (RFC 7617) unless the request has an `Authorization` of its own. Never part of
    /// ``description``.
    public var user: String?
    /// The user information's password, percent-decoded; nil when the URL names none (the
    /// Basic credentials then end in an empty password). Printed as `***` by `dump`.
    public var password: String?

    /// Parses a URL string.
    /// - Throws: ``WebSocketError`` `.invalidURL` for another scheme, a missing host, a bad
    ///   port, an IPv6 address without brackets or brackets around anything else, a user name
    ///   with a colon (RFC 7617 §2: "a user-id containing a colon character is invalid"), or a
    ///   fragment. RFC 6455 §3: "Fragment identifiers are meaningless in the context
    ///   of WebSocket URIs and MUST NOT be used on these URIs." Messages show the URL without
    ///   its password.
    public init(_ string: String) throws {
        let lower = string.lowercased()
        let shown = ProxyURL.redacted(string)
        let rest: Substring
        if lower.hasPrefix("ws://") {
            isSecure = false
            rest = string.dropFirst(5)
        } else if lower.hasPrefix("wss://") {
            isSecure = true
            rest = string.dropFirst(6)
        } else {
            throw WebSocketError(.invalidURL("\(shown): the scheme must be ws or wss"))
        }
        guard !rest.contains("#") else { throw WebSocketError(.invalidURL("\(shown): fragments are not allowed")) }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        requestTarget = target.isEmpty ? "/" : (target.first == "?" ? "/" + target : String(target))
        if let at = authority.lastIndex(of: "@") {
            (user, password) = try Self.parseUserinfo(authority[..<at], url: shown)
            authority = authority[authority.index(after: at)...]
        }
        (host, port, hasExplicitPort) = try Self.parseAuthority(authority, defaultPort: isSecure ? 443 : 80, url: shown)
    }

    /// `userinfo = user [ ":" password ]` (RFC 3986 §3.2.1), each percent-decoded; an empty
    /// userinfo (`ws://@host/`) is none.
    private static func parseUserinfo(_ userinfo: Substring, url: String) throws -> (String?, String?) {
        guard !userinfo.isEmpty else { return (nil, nil) }
        let colon = userinfo.firstIndex(of: ":")
        let user = ProxyURL.percentDecoded(userinfo[..<(colon ?? userinfo.endIndex)])
        guard !user.contains(":") else {
            throw WebSocketError(.invalidURL("\(url): a user name with a colon cannot be sent (RFC 7617 §2)"))
        }
        return (user, colon.map { ProxyURL.percentDecoded(userinfo[userinfo.index(after: $0)...]) })
    }

    /// `Authorization: Basic` for the URL's ``user`` and ``password`` (RFC 7617 §2), nil
    /// without a user.
    var basicAuthorization: String? {
        user.map { WebSocketURL.basicCredentials(user: $0, password: password ?? "") }
    }

    /// `Basic base64(user ":" password)`, UTF-8 (RFC 7617 §2-2.1).
    static func basicCredentials(user: String, password: String) -> String {
        "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
    }

    /// `host [ ":" port ]` (RFC 3986 §3.2.2-3.2.3). An IPv6 address must be in brackets ("A host
    /// identified by an Internet Protocol literal address, version 6 [RFC3513] or later, is
    /// distinguished by enclosing the IP literal within square brackets"), and only an IPv6
    /// address may be (no IPvFuture); a zone ID follows as `%25` (RFC 6874 §2). The port is
    /// digits only; an empty port means the scheme's default.
    private static func parseAuthority(_ authority: Substring, defaultPort: Int, url: String) throws -> (String, Int, Bool) {
        let hostPart: String
        var portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw WebSocketError(.invalidURL("\(url): unclosed [")) }
            hostPart = try ipv6Host(authority[authority.index(after: authority.startIndex)..<close], url: url)
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw WebSocketError(.invalidURL("\(url): bad authority")) }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = String(authority[..<colon])
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = String(authority)
        }
        guard !hostPart.isEmpty else { throw WebSocketError(.invalidURL("\(url): missing host")) }
        guard let portPart, !portPart.isEmpty else { return (hostPart, defaultPort, false) }
        guard portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portPart), (1...65535).contains(port) else {
            throw WebSocketError(.invalidURL("\(url): invalid port (an IPv6 address goes in brackets: ws://[::1]:9001/)"))
        }
        return (hostPart, port, true)
    }

    /// What lies between the brackets: an IPv6 address, optionally `%25` and a zone ID (RFC 6874
    /// §2: `IPv6addrz = IPv6address "%25" ZoneID`), returned with the zone as `%zone`, the form
    /// `getaddrinfo` takes.
    private static func ipv6Host(_ literal: Substring, url: String) throws -> String {
        var address = literal
        var zone: Substring?
        if let percent = literal.firstIndex(of: "%") {
            address = literal[..<percent]
            let rest = literal[percent...]
            guard rest.hasPrefix("%25") else { throw WebSocketError(.invalidURL("\(url): a zone ID is written %25zone")) }
            zone = rest.dropFirst(3)
            guard let zone, !zone.isEmpty, zone.utf8.allSatisfy(HostHeader.isUnreserved) else {
                throw WebSocketError(.invalidURL("\(url): invalid IPv6 zone ID"))
            }
        }
        guard let parsed = SocketAddress(ipAddress: String(address), port: 0), parsed.family == .ipv6 else {
            throw WebSocketError(.invalidURL("\(url): [\(literal)] is not an IPv6 address"))
        }
        return zone.map { "\(address)%\($0)" } ?? String(address)
    }
}
