/// The exchange with a proxy that turns a TCP connection to it into one to the server, without
/// I/O: ``ConnectAttempt`` writes what ``takeOutgoing()`` gives and feeds the proxy's bytes to
/// ``receive(_:)`` until it reports the tunnel open. Nothing may follow the proxy's final
/// answer: the client speaks first through a new tunnel (a WebSocket request, a TLS hello).
package protocol ProxyNegotiation {
    /// `host:port` of the proxy, for errors.
    var proxyEndpoint: String { get }
    /// The bytes to write to the proxy next, handed out once; empty while waiting for it.
    mutating func takeOutgoing() -> [UInt8]
    /// Takes bytes from the proxy; true once the tunnel is open (the bytes held exactly the
    /// end of the proxy's final answer).
    /// - Throws: ``TransportError`` when the proxy refuses or answers what cannot be used.
    mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Bool
    /// What to say when the proxy closes the connection before the tunnel opened.
    var closedEarlyError: TransportError { get }
}

extension TunnelProxy {
    /// The exchange that asks this proxy for a tunnel to `host:port`.
    /// - Throws: ``TransportError`` `.proxy` when the target or the credentials cannot be sent.
    package func negotiation(host: String, port: Int) throws(TransportError) -> any ProxyNegotiation {
        switch self {
        case .http(let proxy): try ProxyTunnel(host: host, port: port, proxy: proxy)
        case .socks5(let proxy): try SOCKS5Negotiation(host: host, port: port, proxy: proxy)
        }
    }

    /// `host` without an IPv6 zone ID (`fe80::1%eth0` → `fe80::1`): RFC 6874 §4, a zone ID
    /// has meaning only on the host that chose it, so it is not sent to a proxy.
    static func withoutZoneID(_ host: String) -> String {
        host.contains(":") ? String(host.prefix { $0 != "%" }) : host
    }

    /// RFC 3986 §3.2.2: a reg-name's unreserved characters and sub-delims, `%` of its
    /// percent-encodings, and `:` of an IPv6 address.
    static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("-._~!$&'()*+,;=%:".utf8).contains(byte)
        }
    }
}
