#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WebSocketDriver
import WebSocketHandshake
public import WebSocketTransport

extension HTTPProxy {
    /// A proxy that wants Basic credentials (RFC 7617 §2):
    /// `Proxy-Authorization: Basic base64(username:password)`.
    public init(host: String, port: Int, username: String, password: String) {
        self.init(host: host, port: port, authorization: WebSocketURL.basicCredentials(user: username, password: password))
    }

    /// Parses a proxy URL as proxy environment variables hold it:
    /// `[http://][user:password@]host[:port][/]`, port 1080 by default (curl's), percent-encoded
    /// credentials decoded (RFC 3986 §3.2.1). Error messages show the URL without its
    /// credentials.
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for another scheme (TLS to the
    ///   proxy itself, `https://`, is not supported; a SOCKS URL parses as a ``TunnelProxy``), a
    ///   path, or a bad host or port.
    public init(url: String) throws {
        let parsed = try ProxyURL(url)
        guard parsed.scheme == "http" else {
            throw WebSocketError(.invalidURL("proxy \(parsed.shown): an HTTP proxy's URL is http://"))
        }
        self.init(parsed)
    }

    /// The HTTP proxy a parsed URL names.
    init(_ parsed: ProxyURL) {
        if let (username, password) = parsed.credentials {
            self.init(host: parsed.host, port: parsed.port, username: username, password: password)
        } else {
            self.init(host: parsed.host, port: parsed.port)
        }
    }
}

extension SOCKSProxy {
    /// Parses a SOCKS5 proxy URL, as curl and proxy environment variables write it:
    /// `socks5h://[user:password@]host[:port][/]` for a proxy that resolves the server's name,
    /// `socks5://…` for one that is sent the address this client resolved; port 1080 by
    /// default, percent-encoded credentials decoded (RFC 3986 §3.2.1) for RFC 1929.
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for another scheme (SOCKS4 is
    ///   not supported), a path, or a bad host or port.
    public init(url: String) throws {
        let parsed = try ProxyURL(url)
        guard parsed.scheme == "socks5" || parsed.scheme == "socks5h" else {
            throw WebSocketError(.invalidURL("proxy \(parsed.shown): a SOCKS5 proxy's URL is socks5:// or socks5h://"))
        }
        self.init(parsed)
    }

    /// The SOCKS5 proxy a parsed `socks5` or `socks5h` URL names.
    init(_ parsed: ProxyURL) {
        self.init(
            host: parsed.host, port: parsed.port,
            credentials: parsed.credentials.map { Credentials(username: $0.0, password: $0.1) },
            resolvesNamesAtProxy: parsed.scheme == "socks5h")
    }
}

extension TunnelProxy {
    /// Parses a proxy URL of any supported kind: `http://` (or no scheme) for an HTTP proxy,
    /// `socks5h://` or `socks5://` for a SOCKS5 proxy (``SOCKSProxy/init(url:)``).
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for another scheme
    ///   (`https://` and SOCKS4 are not supported), a path, or a bad host or port.
    public init(url: String) throws {
        let parsed = try ProxyURL(url)
        switch parsed.scheme {
        case "http": self = .http(HTTPProxy(parsed))
        case "socks5", "socks5h": self = .socks5(SOCKSProxy(parsed))
        default:
            throw WebSocketError(.invalidURL("proxy \(parsed.shown): only http://, socks5:// and socks5h:// proxies are supported"))
        }
    }
}

extension WebSocket.Configuration.Proxy {
    /// The proxy to reach `url` through; nil to connect directly.
    /// - Parameter environment: the variables' values (the process environment by default).
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` when the environment names a
    ///   proxy that does not parse.
    func proxy(for url: WebSocketURL, environment: (String) -> String? = Self.processEnvironment) throws -> TunnelProxy? {
        switch self {
        case .none: return nil
        case .http(let proxy): return .http(proxy)
        case .socks5(let proxy): return .socks5(proxy)
        case .environment:
            // The first variable that is set decides; set but empty means no proxy (curl).
            let names = url.isSecure ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
                : ["http_proxy", "all_proxy", "ALL_PROXY"]
            guard let value = names.lazy.compactMap(environment).first, !value.isEmpty else { return nil }
            let noProxy = environment("no_proxy") ?? environment("NO_PROXY") ?? ""
            if Self.bypasses(host: url.host, port: url.port, noProxy: noProxy) { return nil }
            return try TunnelProxy(url: value)
        }
    }

    /// A variable of the process environment; nil when unset.
    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Whether `no_proxy` lists `host:port`, by curl's rules: the whole value `*` for every
    /// host; for a host name, the name or a domain it ends in, with or without a leading dot
    /// (case-insensitive); for an IP address, the same address or a CIDR block holding it
    /// (`10.0.0.0/8`, `fd00::/8`), IPv6 in brackets or bare. An entry may end in `:port`, which
    /// must then match too.
    static func bypasses(host: String, port: Int, noProxy: String) -> Bool {
        if trimmed(Substring(noProxy)) == "*" { return true }
        let host = host.lowercased()
        let hostAddress = IPAddressBytes(host.prefix { $0 != "%" })
        for rawEntry in noProxy.split(separator: ",") {
            var name = Substring(trimmed(rawEntry).lowercased())
            var entryPort: Int?
            if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
                let after = name[name.index(after: close)...]
                entryPort = after.hasPrefix(":") ? Int(after.dropFirst()) : nil
                name = name[name.index(after: name.startIndex)..<close]
            } else if name.filter({ $0 == ":" }).count == 1, let colon = name.firstIndex(of: ":") {
                entryPort = Int(name[name.index(after: colon)...])
                name = name[..<colon]
            }
            guard !name.isEmpty, entryPort == nil || entryPort == port else { continue }
            if let hostAddress {
                if hostAddress.isIn(block: name) { return true }
                continue
            }
            if name.hasPrefix(".") { name = name.dropFirst() }
            if host == name || host.hasSuffix("." + name) { return true }
        }
        return false
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// An IPv4 or IPv6 address as its bytes in network order, for `no_proxy`'s address entries.
struct IPAddressBytes: Equatable {
    let bytes: [UInt8]

    /// Parses a numeric address (``WebSocketTransport/SocketAddress/init(ipAddress:port:)``);
    /// nil for anything else.
    init?(_ text: some StringProtocol) {
        guard let address = SocketAddress(ipAddress: String(text), port: 0) else { return nil }
        bytes = address.addressBytes
    }

    /// Whether this address is `block`: an address of the same family, or `address/bits` whose
    /// first `bits` bits it shares.
    func isIn(block: Substring) -> Bool {
        let parts = block.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = IPAddressBytes(parts[0]), network.bytes.count == bytes.count else { return false }
        let width = bytes.count * 8
        guard let bits = parts.count == 2 ? Int(parts[1]) : width, (0...width).contains(bits) else { return false }
        for index in 0..<(bits / 8) where bytes[index] != network.bytes[index] { return false }
        let rest = bits % 8
        guard rest > 0 else { return true }
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - rest))
        return bytes[bits / 8] & mask == network.bytes[bits / 8] & mask
    }
}
