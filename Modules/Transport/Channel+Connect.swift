extension Channel {
    /// Opens a TCP connection to `host:port` on `loop`.
    ///
    /// Resolves `host` off the loop (numeric addresses need no lookup; names use `getaddrinfo`
    /// on a helper thread), then tries the addresses in the resolver's order, each with a
    /// non-blocking `connect` completed on the loop; the first that connects wins. The socket is
    /// non-blocking, close-on-exec, `TCP_NODELAY` (and `SO_NOSIGPIPE` on Darwin). `handler` is
    /// installed and gets ``ChannelHandler/channelActive(_:)`` on the loop before this returns.
    /// Cancelling the calling task abandons the attempt.
    /// - Parameters:
    ///   - host: a name, or a numeric IPv4/IPv6 address (`[::1]` accepted).
    ///   - port: the TCP port.
    ///   - timeout: the limit for resolution and connection together, enforced by a loop timer.
    ///   - loop: the loop the channel will belong to.
    ///   - handler: the channel's handler.
    /// - Throws: ``TransportError`` — `.resolution`, `.connectionRefused` (the last address's
    ///   error when all fail), `.connectTimeout`, `.eventLoopShutdown`, `.cancelled`, `.system`.
    /// - Returns: the connected, active channel.
    public static func connect(
        host: String, port: Int, timeout: Duration, on loop: EventLoop, handler: any ChannelHandler
    ) async throws(TransportError) -> Channel {
        let start = Syscall.monotonicNanoseconds()
        let addresses = try await SocketAddress.resolveInBackground(host: host, port: port).get()
        let elapsed = Syscall.monotonicNanoseconds() &- start
        let budget = EventLoop.nanoseconds(timeout)
        guard elapsed < budget else {
            throw TransportError(.connectTimeout, endpoint: Self.endpoint(host: host, port: port))
        }
        let attempt = ConnectAttempt(
            loop: loop, addresses: addresses, endpoint: Self.endpoint(host: host, port: port),
            timeoutNanoseconds: budget - elapsed, handler: handler
        )
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                attempt.start(continuation)
            }
        } onCancel: {
            attempt.cancel()
        }
        return try result.get()
    }

    /// `host:port` for messages, with brackets around an IPv6 literal.
    static func endpoint(host: String, port: Int) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
