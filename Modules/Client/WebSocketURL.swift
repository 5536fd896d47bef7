import WebSocketDriver

/// A parsed `ws://` or `wss://` URL (RFC 6455 §3).
public struct WebSocketURL: Hashable, Sendable {
    /// Whether the scheme is `wss`.
    public var isSecure: Bool
    /// The host, without IPv6 brackets.
    public var host: String
    /// The port: explicit, or 80/443 by scheme.
    public var port: Int
    /// Whether the URL named the port.
    public var hasExplicitPort: Bool
    /// The path and query, starting with `/` (the request target of RFC 6455 §4.1).
    public var requestTarget: String

    /// Parses a URL string.
    /// - Throws: ``WebSocketError`` `.invalidURL` for another scheme, a missing host, a bad
    ///   port, or a fragment. RFC 6455 §3: "Fragment identifiers are meaningless in the context
    ///   of WebSocket URIs and MUST NOT be used on these URIs."
    public init(_ string: String) throws {
        let lower = string.lowercased()
        let rest: Substring
        if lower.hasPrefix("ws://") {
            isSecure = false
            rest = string.dropFirst(5)
        } else if lower.hasPrefix("wss://") {
            isSecure = true
            rest = string.dropFirst(6)
        } else {
            throw WebSocketError(.invalidURL("\(string): the scheme must be ws or wss"))
        }
        guard !rest.contains("#") else { throw WebSocketError(.invalidURL("\(string): fragments are not allowed")) }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        requestTarget = target.isEmpty ? "/" : (target.first == "?" ? "/" + target : String(target))
        guard !authority.contains("@") else { throw WebSocketError(.invalidURL("\(string): user info is not supported")) }
        (host, port, hasExplicitPort) = try Self.parseAuthority(authority, defaultPort: isSecure ? 443 : 80, url: string)
    }

    private static func parseAuthority(_ authority: Substring, defaultPort: Int, url: String) throws -> (String, Int, Bool) {
        var hostPart = authority
        var portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw WebSocketError(.invalidURL("\(url): unclosed [")) }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw WebSocketError(.invalidURL("\(url): bad authority")) }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw WebSocketError(.invalidURL("\(url): missing host")) }
        guard let portPart else { return (String(hostPart), defaultPort, false) }
        guard let port = Int(portPart), (1...65535).contains(port) else {
            throw WebSocketError(.invalidURL("\(url): invalid port"))
        }
        return (String(hostPart), port, true)
    }
}
