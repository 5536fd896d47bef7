extension Channel {
    /// Opens a TCP connection to `host:port` on `loop`.
    ///
    /// Resolves `host` off the loop (numeric addresses need no lookup; names use `getaddrinfo`
    /// on a helper thread), then races non-blocking `connect`s over the addresses, completed on
    /// the loop (RFC 8305, "Happy Eyeballs"): IPv6 and IPv4 alternate from the resolver's first
    /// (§4), the next address starts when the last attempt has had `attemptDelay` or one fails
    /// (§5; never within 10 ms of the last start), the first to connect wins and the others are
    /// closed. An address that drops
    /// its SYNs (a broken IPv6 route, a dead replica) so costs `attemptDelay`, not the timeout.
    /// The socket is
    /// non-blocking, close-on-exec, `TCP_NODELAY` (and `SO_NOSIGPIPE` on Darwin). `handler` is
    /// installed and gets ``ChannelHandler/channelActive(_:)`` on the loop before this returns.
    /// Cancelling the calling task abandons the attempt, the name lookup included.
    ///
    /// With `tls`, the TLS handshake (RFC 8446 §4, RFC 5246 §7) runs on the connected socket
    /// before this returns, under the same `timeout`: the server's certificate is verified
    /// against `host` (or the configuration's `serverName`; RFC 6125), `host` is sent as SNI when
    /// it is a DNS name (RFC 6066 §3), and the handler sees only plaintext.
    ///
    /// With `proxy`, the TCP connection goes to the proxy, which is asked for a tunnel to
    /// `host:port`: an HTTP proxy with `CONNECT` (RFC 9110 §9.3.6), a SOCKS5 proxy with its
    /// `CONNECT` request (RFC 1928 §4), after RFC 1929 authentication if it asks for it and
    /// after a lookup of `host` here if it does not resolve names itself
    /// (``SOCKSProxy/resolvesNamesAtProxy``). TLS then runs through the tunnel with the server,
    /// exactly as without a proxy. The channel's `remoteAddress` is the proxy's.
    /// - Parameters:
    ///   - host: a name, or a numeric IPv4/IPv6 address (`[::1]` accepted).
    ///   - port: the TCP port.
    ///   - timeout: the limit for resolution, connection and TLS handshake together, enforced by
    ///     loop timers (a name lookup still running when it passes is abandoned, not waited for).
    ///   - tls: a client ``TLSContext`` for a TLS connection; nil for plain TCP.
    ///   - proxy: a proxy to tunnel through; nil to connect directly.
    ///   - attemptDelay: RFC 8305 §5's Connection Attempt Delay: how long an address's connect
    ///     has before the next address's starts beside it. Default 250 ms, the RFC's
    ///     recommendation; raised to 10 ms (§5: "a subsequent connection MUST NOT be started
    ///     within 10 milliseconds of the previous attempt"). A delay longer than `timeout` tries
    ///     the addresses one after the other.
    ///   - loop: the loop the channel will belong to.
    ///   - handler: the channel's handler.
    /// - Throws: ``TransportError`` — `.resolution`, `.connectionRefused` (the error of the
    ///   last attempt to fail, when all fail), `.connectTimeout`, `.eventLoopShutdown`, `.cancelled`, `.system`;
    ///   with TLS also `.certificate` (refused server certificate), `.tls` (handshake failure)
    ///   and `.tlsConfiguration` (a server context, or no name to verify); through a proxy
    ///   also `.proxyRefused` (an HTTP proxy's status other than 2xx), `.socksRefused` (a
    ///   SOCKS5 reply other than success), `.socksAuthenticationFailed`, and `.proxy` (any other
    ///   failure of the tunnel); the connect errors then name the proxy.
    /// - Returns: the connected, active channel.
    public static func connect(
        host: String, port: Int, timeout: Duration, tls: TLSContext? = nil, proxy: TunnelProxy? = nil,
        attemptDelay: Duration = Channel.defaultAttemptDelay, on loop: EventLoop, handler: any ChannelHandler
    ) async throws(TransportError) -> Channel {
        if let tls, tls.role != .client {
            throw TransportError(.tlsConfiguration("connect needs a client TLS context"))
        }
        let deadline = Syscall.monotonicNanoseconds() &+ EventLoop.nanoseconds(timeout)
        var tunnelHost = host
        if case .socks5(let socks) = proxy, !socks.resolvesNamesAtProxy {
            try SOCKS5Negotiation.check(port: port, proxy: socks)  // before a lookup leaves
            tunnelHost = try await resolveForProxy(host: host, port: port, timeout: timeout, on: loop)
        }
        let tunnel = try proxy.map { proxy throws(TransportError) in try proxy.negotiation(host: tunnelHost, port: port) }
        let (peerHost, peerPort) = proxy.map { ($0.host, $0.port) } ?? (host, port)
        let endpoint = Self.endpoint(host: peerHost, port: peerPort)
        /// What is left of `timeout` for the next step, in nanoseconds; nothing left times out.
        func remaining() throws(TransportError) -> UInt64 {
            let now = Syscall.monotonicNanoseconds()
            guard now < deadline else { throw TransportError(.connectTimeout, endpoint: endpoint) }
            return deadline - now
        }
        let addresses = try await SocketAddress.resolveInBackground(
            host: peerHost, port: peerPort, timeout: .nanoseconds(Int64(clamping: try remaining())), on: loop).get()
        let attempt = ConnectAttempt(
            loop: loop, addresses: addresses, endpoint: endpoint, timeoutNanoseconds: try remaining(),
            attemptDelay: attemptDelay, tls: tls.map { ($0, host) }, tunnel: tunnel, handler: handler
        )
        return try await run(attempt)
    }

    /// Opens a connection to the Unix domain socket at `path` on `loop`: a server on the same
    /// host (or a local proxy) without TCP. As ``connect(host:port:timeout:tls:proxy:attemptDelay:on:handler:)``
    /// otherwise: the handler is installed and active when this returns, cancelling the calling
    /// task abandons the connect, and with `tls` the handshake runs over the socket, verifying
    /// the server's certificate against `host` (sent as SNI when it is a DNS name).
    /// - Parameters:
    ///   - path: the socket's path, at most ``SocketAddress/maxUnixPathLength`` bytes.
    ///   - host: the server's name for TLS; not looked up. Unused without `tls`.
    ///   - timeout: the limit for the connect and TLS handshake together.
    ///   - tls: a client ``TLSContext`` for a TLS connection; nil for none.
    ///   - loop: the loop the channel will belong to.
    ///   - handler: the channel's handler.
    /// - Throws: ``TransportError`` — `.resolution` for a path that cannot be a socket address;
    ///   `.connectionRefused` (a socket file nobody listens on), `.system` (`ENOENT`: no such
    ///   file; `EAGAIN`: the server's backlog is full, which a Unix socket reports at once
    ///   rather than making the connect wait); `.connectTimeout`, `.cancelled`,
    ///   `.eventLoopShutdown`; with TLS the errors of a TLS connect.
    /// - Returns: the connected, active channel; its ``remoteAddress`` is the path's.
    public static func connect(
        unixSocketPath path: String, host: String = "localhost", timeout: Duration, tls: TLSContext? = nil,
        on loop: EventLoop, handler: any ChannelHandler
    ) async throws(TransportError) -> Channel {
        if let tls, tls.role != .client {
            throw TransportError(.tlsConfiguration("connect needs a client TLS context"))
        }
        let address = try SocketAddress.checkedUnixPath(path)
        let attempt = ConnectAttempt(
            loop: loop, addresses: [address], endpoint: address.description,
            timeoutNanoseconds: EventLoop.nanoseconds(timeout), tls: tls.map { ($0, host) }, handler: handler
        )
        return try await run(attempt)
    }

    /// RFC 8305 §5's recommended Connection Attempt Delay, 250 ms: the default of
    /// ``connect(host:port:timeout:tls:proxy:attemptDelay:on:handler:)``.
    public static let defaultAttemptDelay: Duration = AddressRace.defaultAttemptDelay

    /// Connects to `addresses` (already resolved) with ``ConnectAttempt``'s race, then opens
    /// `tunnel` if given, without TLS: for tests of the race.
    static func connect(
        to addresses: [SocketAddress], timeout: Duration, attemptDelay: Duration,
        tunnel: (any ProxyNegotiation)? = nil, on loop: EventLoop, handler: any ChannelHandler
    ) async throws(TransportError) -> Channel {
        let endpoint = addresses.first?.description ?? "no address"
        let attempt = ConnectAttempt(
            loop: loop, addresses: addresses, endpoint: endpoint, timeoutNanoseconds: EventLoop.nanoseconds(timeout),
            attemptDelay: attemptDelay, tunnel: tunnel, handler: handler
        )
        return try await run(attempt)
    }

    /// Runs `attempt` on its loop; cancelling the calling task abandons it.
    private static func run(_ attempt: ConnectAttempt) async throws(TransportError) -> Channel {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                attempt.start(continuation)
            }
        } onCancel: {
            attempt.cancel()
        }
        return try result.get()
    }

    /// The numeric address a SOCKS5 proxy that does not resolve names is asked to connect to:
    /// the resolver's first for `host` (a numeric `host` as it is). Only the first: each other
    /// address would take a new connection to the proxy, and curl and python-socks try one too.
    /// (A direct connection tries every address.)
    private static func resolveForProxy(
        host: String, port: Int, timeout: Duration, on loop: EventLoop
    ) async throws(TransportError) -> String {
        let addresses = try await SocketAddress.resolveInBackground(host: host, port: port, timeout: timeout, on: loop).get()
        guard let first = addresses.first else {
            throw TransportError(.resolution(host: host, message: "no address"))
        }
        return first.host
    }

    /// `host:port` for messages, with brackets around an IPv6 literal.
    static func endpoint(host: String, port: Int) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
