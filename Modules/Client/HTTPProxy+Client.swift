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
        self.init(host: host, port: port, authorization: "Basic " + Base64.encode(Array("\(username):\(password)".utf8)))
    }

    /// Parses a proxy URL as proxy environment variables hold it:
    /// `[http://][user:password@]host[:port][/]`, port 1080 by default (curl's), percent-encoded
    /// credentials decoded (RFC 3986 §3.2.1). Error messages show the URL without its
    /// credentials.
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for another scheme (TLS to the
    ///   proxy itself, `https://`, and SOCKS are not supported), a path, or a bad host or port.
    public init(url: String) throws {
        let shown = Self.redacted(url)
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") {
            guard rest[..<scheme.lowerBound].lowercased() == "http" else {
                throw WebSocketError(.invalidURL("proxy \(shown): only http:// proxies are supported"))
            }
            rest = rest[scheme.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw WebSocketError(.invalidURL("proxy \(shown): a proxy URL has no path"))
        }
        var credentials: (String, String)?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            let colon = userinfo.firstIndex(of: ":") ?? userinfo.endIndex
            credentials = (Self.percentDecoded(userinfo[..<colon]),
                           Self.percentDecoded(userinfo[colon...].dropFirst()))
            rest = rest[rest.index(after: at)...]
        }
        var address: WebSocketURL
        do {
            address = try WebSocketURL("ws://" + rest)
            if !address.hasExplicitPort { address.port = Self.defaultPort }
        } catch {
            throw WebSocketError(.invalidURL("proxy \(shown): host and port do not parse"))
        }
        if let (username, password) = credentials {
            self.init(host: address.host, port: address.port, username: username, password: password)
        } else {
            self.init(host: address.host, port: address.port)
        }
    }

    /// The port of a proxy URL that names none: curl's.
    static let defaultPort = 1080

    /// `url` with any `user:password@` replaced by `***@`, for messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let schemeEnd = url.firstRange(of: "://")?.upperBound ?? url.startIndex
        guard schemeEnd <= at else { return url }
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

extension WebSocket.Configuration.Proxy {
    /// The proxy to reach `url` through; nil to connect directly.
    /// - Parameter environment: the variables' values (the process environment by default).
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` when the environment names a
    ///   proxy that does not parse.
    func proxy(for url: WebSocketURL, environment: (String) -> String? = Self.processEnvironment) throws -> HTTPProxy? {
        switch self {
        case .none: return nil
        case .http(let proxy): return proxy
        case .environment:
            // The first variable that is set decides; set but empty means no proxy (curl).
            let names = url.isSecure ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
                : ["http_proxy", "all_proxy", "ALL_PROXY"]
            guard let value = names.lazy.compactMap(environment).first, !value.isEmpty else { return nil }
            let noProxy = environment("no_proxy") ?? environment("NO_PROXY") ?? ""
            if Self.bypasses(host: url.host, port: url.port, noProxy: noProxy) { return nil }
            return try HTTPProxy(url: value)
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
