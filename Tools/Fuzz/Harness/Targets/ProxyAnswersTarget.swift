import WebSocketTransport

extension FuzzTarget {
    /// The client's exchange with a proxy: an HTTP proxy's answer to `CONNECT` (`ProxyTunnel`)
    /// or a SOCKS5 proxy's answers (`SOCKS5Negotiation`, with or without credentials), fed as
    /// `ConnectAttempt` feeds them: each read, then what the exchange has to write taken.
    ///
    /// Input: the proxy kind (1 byte), chunk plan (2 bytes), then the proxy's bytes. Checks that
    /// what the exchange writes is what the RFCs lay out (the CONNECT request; the SOCKS5
    /// greeting, the RFC 1929 request only after the proxy chose it, the CONNECT request once),
    /// that it throws only proxy errors, and that once open, one more byte is an error.
    public static let proxyAnswers = FuzzTarget(name: "proxy-answers", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let proxy = input.pick([
            TunnelProxy.http(HTTPProxy(host: "proxy.example", port: 3128, authorization: "Basic YTpi")),
            .socks5(SOCKSProxy(host: "proxy.example", port: 1080)),
            .socks5(SOCKSProxy(host: "proxy.example", port: 1080, credentials: .init(username: "alice", password: "s3cret"))),
        ])
        let plan = ChunkPlan(&input)
        let stream = Array(input.rest().prefix(32 * 1024))
        var negotiation: any ProxyNegotiation
        do throws(TransportError) {
            negotiation = try proxy.negotiation(host: "server.example", port: 443)
        } catch {
            throw FuzzFailure("a valid target refused: \(error)")
        }
        var written = [negotiation.takeOutgoing()]
        var opened = false
        for chunk in plan.chunks(of: stream) {
            do throws(TransportError) {
                opened = try Array(chunk).withUnsafeBytes { raw in
                    Result { () throws(TransportError) in try negotiation.receive(raw) }
                }.get()
            } catch {
                try requireProxyError(error)
                return try checkWrites(written, proxy: proxy, opened: false)
            }
            let next = negotiation.takeOutgoing()
            if !next.isEmpty { written.append(next) }
            if opened { break }
        }
        try checkWrites(written, proxy: proxy, opened: opened)
        guard opened else { return }
        let more: Result<Bool, TransportError> = [0x47].withUnsafeBytes { raw in
            Result { () throws(TransportError) in try negotiation.receive(raw) }
        }
        guard case .failure(let error) = more else { throw FuzzFailure("a byte after the tunnel opened was taken") }
        try requireProxyError(error)
    }, seeds: ProxySeeds.answers)

    /// Only the errors a proxy's answer may cause.
    static func requireProxyError(_ error: TransportError) throws(FuzzFailure) {
        switch error.kind {
        case .proxy, .proxyRefused, .socksRefused, .socksAuthenticationFailed: break
        default: throw FuzzFailure("not a proxy error: \(error)")
        }
    }

    /// What the exchange wrote, in order: the RFC's messages and nothing else.
    static func checkWrites(_ written: [[UInt8]], proxy: TunnelProxy, opened: Bool) throws(FuzzFailure) {
        let connect: [UInt8] = [5, 1, 0, 3, 14] + Array("server.example".utf8) + [1, 187]
        switch proxy {
        case .http:
            let request = Array("CONNECT server.example:443 HTTP/1.1\r\nHost: server.example:443\r\nProxy-Authorization: Basic YTpi\r\n\r\n".utf8)
            try require(written == [request], "CONNECT exchange wrote \(written)")
        case .socks5(let socks):
            let greeting: [UInt8] = socks.credentials == nil ? [5, 1, 0] : [5, 2, 0, 2]
            let authentication: [UInt8] = [1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8)
            let allowed: [[[UInt8]]] = socks.credentials == nil
                ? [[greeting], [greeting, connect]]
                : [[greeting], [greeting, connect], [greeting, authentication], [greeting, authentication, connect]]
            try require(allowed.contains(written), "SOCKS5 exchange wrote \(written)")
            try require(!opened || written.last == connect, "opened without the CONNECT request: \(written)")
        }
    }
}
