/// A SOCKS version 5 proxy (RFC 1928) that a client connection goes through: the TCP
/// connection goes to the proxy, which is asked with a `CONNECT` request to open one to the
/// server and then relays bytes both ways; TLS for a `wss://` server runs inside, end to end,
/// verified against the server's name as without a proxy.
///
/// SSH's dynamic forwarding (`ssh -D`), Tor, and corporate egress proxies speak it; curl names
/// such a proxy `socks5h://` when the proxy resolves names and `socks5://` when the client does.
public struct SOCKSProxy: Sendable, Hashable {
    /// A username and password for RFC 1929 authentication.
    public struct Credentials: Sendable, Hashable {
        /// The username, 1 to 255 bytes of UTF-8 (RFC 1929 §2: "UNAME").
        public var username: String
        /// The password, 1 to 255 bytes of UTF-8 (RFC 1929 §2: "PASSWD").
        public var password: String

        /// A username and its password.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// The proxy's host name or IP address (an IPv6 address without brackets).
    public var host: String
    /// The proxy's port.
    public var port: Int
    /// Credentials to offer (RFC 1929 username/password); nil to offer only "no authentication".
    public var credentials: Credentials?
    /// Whether the proxy resolves the server's name (the request carries the name: curl's
    /// `socks5h://`), or the client resolves it and sends the address (`socks5://`). Default
    /// true: the proxy may reach names the client cannot (an internal network, a `.onion`), and
    /// no lookup for the server leaves the client. An IP address is sent as an address either way.
    public var resolvesNamesAtProxy: Bool

    /// A proxy at `host:port`, with optional credentials, resolving names itself by default.
    public init(host: String, port: Int, credentials: Credentials? = nil, resolvesNamesAtProxy: Bool = true) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.resolvesNamesAtProxy = resolvesNamesAtProxy
    }
}

/// A proxy a client connection goes through to reach its server: an HTTP proxy's `CONNECT`
/// tunnel (RFC 9110 §9.3.6) or a SOCKS5 proxy (RFC 1928). Either way the bytes after the
/// proxy's answer are the server's, so TLS and the WebSocket handshake run as without it.
public enum TunnelProxy: Sendable, Hashable {
    /// Through an HTTP proxy's `CONNECT` tunnel.
    case http(HTTPProxy)
    /// Through a SOCKS5 proxy.
    case socks5(SOCKSProxy)

    /// The proxy's host.
    public var host: String {
        switch self {
        case .http(let proxy): proxy.host
        case .socks5(let proxy): proxy.host
        }
    }

    /// The proxy's port.
    public var port: Int {
        switch self {
        case .http(let proxy): proxy.port
        case .socks5(let proxy): proxy.port
        }
    }
}

/// Printed without the password (in `print`, string interpolation, `dump` and debuggers), so a
/// logged configuration does not leak it.
extension SOCKSProxy.Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `username:***`.
    public var description: String { username + ":***" }
    /// As ``description``.
    public var debugDescription: String { "Credentials(" + description + ")" }
    /// The username only.
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "***"]) }
}
