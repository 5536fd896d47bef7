/// The SOCKS5 exchange that opens a tunnel (RFC 1928, with RFC 1929's username/password
/// authentication), without I/O: the greeting, the authentication if the proxy chose it, the
/// `CONNECT` request, and the proxy's reply.
///
/// RFC 1928 §3: "The client connects to the server, and sends a version identifier/method
/// selection message"; §4: "Once the method-dependent subnegotiation has completed, the client
/// sends the request details"; §6: the reply's "REP" field is X'00' for success, and "When a
/// reply (REP value other than X'00') indicates a failure, the SOCKS server MUST terminate the
/// TCP connection shortly after sending the reply".
struct SOCKS5Negotiation: ProxyNegotiation {
    /// RFC 1928 §3 "METHOD": what the greeting offers and the proxy chooses.
    enum Method: UInt8 {
        case noAuthentication = 0x00
        case usernamePassword = 0x02
        case noAcceptableMethods = 0xFF
    }

    /// Where the exchange stands.
    private enum Step {
        case awaitingMethod
        case awaitingAuthentication
        case awaitingReply
        case open
    }

    let proxyEndpoint: String
    private let credentials: SOCKSProxy.Credentials?
    /// The `CONNECT` request (§4), sent once a method is agreed.
    let connectRequest: [UInt8]
    private var outgoing: [UInt8]
    private var step = Step.awaitingMethod
    private var received: [UInt8] = []

    /// Prepares the exchange for a tunnel to `host:port` through `proxy`. An IP address goes
    /// into the request as an address (ATYP X'01' or X'04'), a name as a name (X'03') for the
    /// proxy to resolve.
    /// - Throws: `.proxy` for a name that is not a host name or is over 255 bytes, or what
    ///   ``check(port:proxy:)`` throws.
    init(host: String, port: Int, proxy: SOCKSProxy) throws(TransportError) {
        try Self.check(port: port, proxy: proxy)
        proxyEndpoint = Channel.endpoint(host: proxy.host, port: proxy.port)
        credentials = proxy.credentials
        connectRequest = [0x05, 0x01, 0x00] + (try Self.address(host, endpoint: proxyEndpoint))
            + [UInt8(port >> 8), UInt8(port & 0xFF)]
        // §3: "VER | NMETHODS | METHODS". Credentials are offered beside no authentication:
        // the proxy chooses, as curl and python-socks let it.
        let methods: [Method] = credentials == nil ? [.noAuthentication] : [.noAuthentication, .usernamePassword]
        outgoing = [0x05, UInt8(methods.count)] + methods.map(\.rawValue)
    }

    /// Whether a request for `port` through `proxy` can be sent, checked before anything is
    /// (the client's own lookup of the server included).
    /// - Throws: `.proxy` for a port outside 0-65535, a username outside RFC 1929's 1-255 bytes,
    ///   or a password over 255 bytes. An empty password is sent (PLEN X'00') as curl does for
    ///   `socks5://user@host`, although RFC 1929's table gives 1-255.
    static func check(port: Int, proxy: SOCKSProxy) throws(TransportError) {
        let endpoint = Channel.endpoint(host: proxy.host, port: proxy.port)
        guard (0...0xFFFF).contains(port) else {
            throw TransportError(.proxy("port \(port) cannot be sent to a SOCKS5 proxy"), endpoint: endpoint)
        }
        guard let credentials = proxy.credentials else { return }
        guard (1...255).contains(credentials.username.utf8.count), credentials.password.utf8.count <= 255 else {
            throw TransportError(.proxy("a SOCKS5 username must be 1 to 255 bytes, a password at most 255 (RFC 1929)"),
                                 endpoint: endpoint)
        }
    }

    /// §4 "ATYP | DST.ADDR": X'01' and four bytes for IPv4, X'04' and sixteen for IPv6, X'03'
    /// and a length-prefixed name (no zone ID: it means something only on this host).
    private static func address(_ host: String, endpoint: String) throws(TransportError) -> [UInt8] {
        let bare = TunnelProxy.withoutZoneID(host)
        if let address = SocketAddress(ipAddress: bare, port: 0) {
            return [address.family == .ipv4 ? 0x01 : 0x04] + address.addressBytes
        }
        let name = Array(bare.utf8)
        guard (1...255).contains(name.count), name.allSatisfy(TunnelProxy.isHostByte) else {
            throw TransportError(.proxy("the tunnel's target is not a host name of 1 to 255 bytes"), endpoint: endpoint)
        }
        return [0x03, UInt8(name.count)] + name
    }

    mutating func takeOutgoing() -> [UInt8] {
        defer { outgoing = [] }
        return outgoing
    }

    var closedEarlyError: TransportError {
        let message = switch step {
        case .awaitingMethod: TransportError.socksProxyClosedBeforeMethod
        case .awaitingAuthentication: TransportError.socksProxyClosedDuringAuthentication
        case .awaitingReply, .open: TransportError.socksProxyClosedBeforeReply
        }
        return TransportError(.proxy(message), endpoint: proxyEndpoint)
    }

    /// Each of the proxy's answers must come alone, after what it answers was handed out:
    /// bytes behind a method choice or an authentication status would answer a request not
    /// sent yet (a proxy that does so is not speaking SOCKS5 with us), and nothing may follow
    /// the reply.
    mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Bool {
        guard outgoing.isEmpty else { throw failure("answered before it was sent the request") }
        received.append(contentsOf: bytes)
        switch step {
        case .awaitingMethod:
            guard received.count >= 2 else { return false }
            try chooseMethod(version: received[0], method: received[1])
        case .awaitingAuthentication:
            guard received.count >= 2 else { return false }
            try checkAuthentication(status: received[1])
        case .awaitingReply:
            guard let length = try replyLength(), received.count >= length else { return false }
            guard received.count == length else { throw failure("sent bytes after its reply, before the tunnel was used") }
            step = .open
        case .open:
            throw failure("sent bytes after its reply, before the tunnel was used")
        }
        guard received.count == 2 || step == .open else {
            throw failure("answered before it was sent the request")
        }
        received = []
        return step == .open
    }

    /// §3: "The server selects from one of the methods given in METHODS, and sends a METHOD
    /// selection message: VER | METHOD". "If the selected METHOD is X'FF', none of the
    /// methods listed by the client are acceptable, and the client MUST close the connection."
    private mutating func chooseMethod(version: UInt8, method: UInt8) throws(TransportError) {
        guard version == 0x05 else { throw failure("answered with version \(version), not SOCKS5 (5)") }
        switch Method(rawValue: method) {
        case .noAuthentication:
            outgoing = connectRequest
            step = .awaitingReply
        case .usernamePassword where credentials != nil:
            outgoing = authenticationRequest()
            step = .awaitingAuthentication
        case .noAcceptableMethods:
            let what = credentials == nil
                ? "it does not accept clients without authentication (credentials: SOCKSProxy.credentials)"
                : "it accepts neither no authentication nor a username and password"
            throw TransportError(.socksAuthenticationFailed(what), endpoint: proxyEndpoint)
        default:
            throw failure("chose authentication method \(method), which was not offered")
        }
    }

    /// RFC 1929 §2: "VER | ULEN | UNAME | PLEN | PASSWD", VER X'01'.
    private func authenticationRequest() -> [UInt8] {
        guard let credentials else { return [] }
        let username = Array(credentials.username.utf8)
        let password = Array(credentials.password.utf8)
        return [0x01, UInt8(username.count)] + username + [UInt8(password.count)] + password
    }

    /// RFC 1929 §2: "VER | STATUS"; "A STATUS field of X'00' indicates success. If the server
    /// returns a `failure' (STATUS value other than X'00') status, it MUST close the connection."
    /// VER (X'01') is not checked: some proxies answer 5, and curl ignores it too.
    private mutating func checkAuthentication(status: UInt8) throws(TransportError) {
        guard status == 0x00 else {
            throw TransportError(.socksAuthenticationFailed("the proxy rejected the username and password (status \(status))"),
                                 endpoint: proxyEndpoint)
        }
        outgoing = connectRequest
        step = .awaitingReply
    }

    /// §6: "VER | REP | RSV | ATYP | BND.ADDR | BND.PORT": the reply's length once its first
    /// five bytes arrived (the fifth is a name's length), nil before. A failure throws at once.
    /// RSV is not checked: curl and python-socks do not either.
    private func replyLength() throws(TransportError) -> Int? {
        guard received.count >= 2 else { return nil }
        guard received[0] == 0x05 else { throw failure("replied with version \(received[0]), not SOCKS5 (5)") }
        guard received[1] == 0x00 else {
            throw TransportError(.socksRefused(reply: Int(received[1]), reason: Self.reason(received[1])), endpoint: proxyEndpoint)
        }
        guard received.count >= 5 else { return nil }
        let address = switch received[3] {
        case 0x01: 4
        case 0x04: 16
        case 0x03: 1 + Int(received[4])
        default: -1
        }
        guard address > 0 else { throw failure("replied with address type \(received[3])") }
        return 4 + address + 2
    }

    /// §6's meanings of REP.
    static func reason(_ reply: UInt8) -> String {
        switch reply {
        case 0x01: "general SOCKS server failure"
        case 0x02: "connection not allowed by ruleset"
        case 0x03: "network unreachable"
        case 0x04: "host unreachable"
        case 0x05: "connection refused"
        case 0x06: "TTL expired"
        case 0x07: "command not supported"
        case 0x08: "address type not supported"
        default: "unassigned reply code"
        }
    }

    private func failure(_ what: String) -> TransportError {
        TransportError(.proxy("the SOCKS5 proxy " + what), endpoint: proxyEndpoint)
    }
}
