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
    /// `[http://][user:password@]host[:port][/]`, port 80 by default, percent-encoded
    /// credentials decoded (RFC 3986 §3.2.1).
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for another scheme (TLS to the
    ///   proxy itself, `https://`, and SOCKS are not supported), a path, or a bad host or port.
    public init(url: String) throws {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") {
            guard rest[..<scheme.lowerBound].lowercased() == "http" else {
                throw WebSocketError(.invalidURL("proxy \(url): only http:// proxies are supported"))
            }
            rest = rest[scheme.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw WebSocketError(.invalidURL("proxy \(url): a proxy URL has no path"))
        }
        var credentials: (String, String)?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            let colon = userinfo.firstIndex(of: ":") ?? userinfo.endIndex
            credentials = (Self.percentDecoded(userinfo[..<colon]),
                           Self.percentDecoded(userinfo[colon...].dropFirst()))
            rest = rest[rest.index(after: at)...]
        }
        let address: WebSocketURL
        do {
            address = try WebSocketURL("ws://" + rest)
        } catch {
            throw WebSocketError(.invalidURL("proxy \(url): host and port do not parse"))
        }
        if let (username, password) = credentials {
            self.init(host: address.host, port: address.port, username: username, password: password)
        } else {
            self.init(host: address.host, port: address.port)
        }
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
            let names = url.isSecure ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
                : ["http_proxy", "all_proxy", "ALL_PROXY"]
            guard let value = names.lazy.compactMap(environment).first(where: { !$0.isEmpty }) else { return nil }
            let noProxy = environment("no_proxy") ?? environment("NO_PROXY") ?? ""
            if Self.bypasses(host: url.host, port: url.port, noProxy: noProxy) { return nil }
            return try HTTPProxy(url: value)
        }
    }

    /// A variable of the process environment; nil when unset.
    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Whether `no_proxy` lists `host:port` (curl's rules): `*`; the host name, or a domain it
    /// ends in, with or without a leading dot (case-insensitive); an IP address, IPv6 in
    /// brackets or bare; each optionally with `:port`, which must then match too.
    static func bypasses(host: String, port: Int, noProxy: String) -> Bool {
        let host = host.lowercased()
        for rawEntry in noProxy.split(separator: ",") {
            let entry = rawEntry.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            let text = String(entry).lowercased()
            if text == "*" { return true }
            var name = Substring(text)
            var entryPort: Int?
            if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
                let after = name[name.index(after: close)...]
                entryPort = after.hasPrefix(":") ? Int(after.dropFirst()) : nil
                name = name[name.index(after: name.startIndex)..<close]
            } else if name.filter({ $0 == ":" }).count == 1, let colon = name.firstIndex(of: ":") {
                entryPort = Int(name[name.index(after: colon)...])
                name = name[..<colon]
            }
            if name.hasPrefix(".") { name = name.dropFirst() }
            guard !name.isEmpty, entryPort == nil || entryPort == port else { continue }
            if host == name || host.hasSuffix("." + name) { return true }
        }
        return false
    }
}
