/// An HTTP proxy that a client connection tunnels through with `CONNECT` (RFC 9110 §9.3.6):
/// the TCP connection goes to the proxy, which opens one to the server and then relays bytes
/// both ways; TLS for a `wss://` server runs inside the tunnel, end to end, verified against the
/// server's name as without a proxy.
///
/// RFC 6455 §4.1: "If the client is configured to use a proxy when using the WebSocket
/// Protocol to connect to host /host/ and port /port/, then the client SHOULD connect to that
/// proxy and ask it to open a TCP connection to the host given by /host/ and the port given by
/// /port/", with the example `CONNECT example.com:80 HTTP/1.1` / `Host: example.com`.
public struct HTTPProxy: Sendable, Hashable {
    /// The proxy's host name or IP address (an IPv6 address without brackets).
    public var host: String
    /// The proxy's port.
    public var port: Int
    /// The `Proxy-Authorization` value to send (RFC 9110 §11.7.2), e.g. `Basic dXNlcjpwYXNz`;
    /// nil for none.
    public var authorization: String?

    /// A proxy at `host:port`, with an optional `Proxy-Authorization` value.
    public init(host: String, port: Int, authorization: String? = nil) {
        self.host = host
        self.port = port
        self.authorization = authorization
    }
}

/// Printed without the authorization value (in `print`, string interpolation, `dump` and
/// debuggers), so a logged configuration does not leak the credentials it holds.
extension HTTPProxy: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `HTTPProxy(host:port)`, with `authorization: ***` when there is one.
    public var description: String {
        "HTTPProxy(\(Channel.endpoint(host: host, port: port))\(authorization == nil ? "" : ", authorization: ***"))"
    }
    /// As ``description``.
    public var debugDescription: String { description }
    /// Host and port, and whether there is an authorization.
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "authorization": authorization == nil ? "nil" : "***"])
    }
}
