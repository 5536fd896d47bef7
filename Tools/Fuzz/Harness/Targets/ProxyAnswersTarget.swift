import WebSocketTransport

extension FuzzTarget {
    /// The client's exchange with a proxy: an HTTP proxy's answer to `CONNECT` (`ProxyTunnel`)
    /// or a SOCKS5 proxy's answers (`SOCKS5Negotiation`, with or without credentials), fed as
    /// `ConnectAttempt` feeds them: each read, then what the exchange has to write taken.
    ///
    /// Input: the proxy kind (1 byte), chunk plan (2 bytes), then the proxy's bytes. A model of
    /// the RFCs read from the same bytes says what must happen, and the exchange is checked
    /// against it: it writes a prefix of the model's messages (the SOCKS5 greeting, the RFC 1929
    /// request only when the proxy chose it, the CONNECT request only after a success), opens
    /// only where the model's answers end in success and only with nothing left to write, takes
    /// no byte more in the read that opened it, throws only its proxy kind's errors, and says
    /// why when the proxy closes early.
    public static let proxyAnswers = FuzzTarget(name: "proxy-answers", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let proxy = input.pick([
            TunnelProxy.http(HTTPProxy(host: "proxy.example", port: 3128, authorization: "Basic YTpi")),
            .socks5(SOCKSProxy(host: "proxy.example", port: 1080)),
            .socks5(SOCKSProxy(host: "proxy.example", port: 1080, credentials: .init(username: "alice", password: "s3cret"))),
        ])
        let plan = ChunkPlan(&input)
        let chunks = plan.chunks(of: Array(input.rest().prefix(32 * 1024)))
        let run = try ProxyRun(proxy: proxy, chunks: chunks)
        let model = ProxyModel(proxy: proxy, bytes: Array(chunks.joined()))
        try require(model.writes.starts(with: run.written), "wrote \(run.written), the model \(model.writes)")
        switch run.outcome {
        case .opened(let consumed):
            try require(model.opensAt == consumed, "opened after \(consumed) bytes, the model at \(String(describing: model.opensAt))")
            try require(run.written == model.writes, "opened having written \(run.written)")
            // The same reads with one byte more in the last: refused, not taken.
            var longer = Array(chunks.prefix { $0.endIndex <= consumed })
            longer[longer.count - 1] = ArraySlice(longer[longer.count - 1] + [0x47])
            guard case .failed(let error) = try ProxyRun(proxy: proxy, chunks: longer).outcome else {
                throw FuzzFailure("a byte behind the answer that opened the tunnel was taken")
            }
            try requireProxyError(error, proxy: proxy)
        case .failed(let error):
            try requireProxyError(error, proxy: proxy)
            if case .proxyRefused(let status, _) = error.kind {
                try require(model.httpStatus == status, "refused with \(status), the model's final status \(String(describing: model.httpStatus))")
            }
        case .waiting(let closedEarly):
            try requireProxyError(closedEarly, proxy: proxy)
        }
    }, seeds: ProxySeeds.answers)

    /// Only the errors of `proxy`'s kind.
    static func requireProxyError(_ error: TransportError, proxy: TunnelProxy) throws(FuzzFailure) {
        switch (error.kind, proxy) {
        case (.proxy, _), (.proxyRefused, .http), (.socksRefused, .socks5), (.socksAuthenticationFailed, .socks5): break
        default: throw FuzzFailure("not an error of this proxy's: \(error)")
        }
    }
}

/// One exchange fed `chunks` as `ConnectAttempt` feeds reads.
struct ProxyRun {
    enum Outcome {
        /// Open after `consumed` bytes (the end of a read).
        case opened(consumed: Int)
        case failed(TransportError)
        /// Still waiting when the bytes ran out; what closing now would report.
        case waiting(closedEarly: TransportError)
    }

    var written: [[UInt8]] = []
    var outcome: Outcome

    init(proxy: TunnelProxy, chunks: [ArraySlice<UInt8>]) throws(FuzzFailure) {
        var negotiation: any ProxyNegotiation
        do throws(TransportError) {
            negotiation = try proxy.negotiation(host: "server.example", port: 443)
        } catch {
            throw FuzzFailure("a valid target refused: \(error)")
        }
        written = [negotiation.takeOutgoing()]
        for chunk in chunks {
            let result: Result<Bool, TransportError> = Array(chunk).withUnsafeBytes { raw in
                Result { () throws(TransportError) in try negotiation.receive(raw) }
            }
            switch result {
            case .failure(let error):
                outcome = .failed(error)
                return
            case .success(true):
                try require(negotiation.takeOutgoing().isEmpty, "opened with a request not written")
                outcome = .opened(consumed: chunk.endIndex)
                return
            case .success(false):
                let next = negotiation.takeOutgoing()
                if !next.isEmpty { written.append(next) }
            }
        }
        outcome = .waiting(closedEarly: negotiation.closedEarlyError)
    }
}

/// What RFC 9110 §9.3.6 or RFC 1928/1929 make of a proxy's bytes, read whole: the messages the
/// client writes, where the tunnel opens, an HTTP proxy's final status.
struct ProxyModel {
    var writes: [[UInt8]] = []
    /// The number of bytes after which the tunnel is open, if the bytes open it.
    var opensAt: Int?
    /// An HTTP proxy's first final (non-1xx, or 101) status.
    var httpStatus: Int?

    static let connect: [UInt8] = [5, 1, 0, 3, 14] + Array("server.example".utf8) + [1, 187]
    static let authentication: [UInt8] = [1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8)

    init(proxy: TunnelProxy, bytes: [UInt8]) {
        switch proxy {
        case .http:
            writes = [Array("CONNECT server.example:443 HTTP/1.1\r\nHost: server.example:443\r\nProxy-Authorization: Basic YTpi\r\n\r\n".utf8)]
            modelHTTP(bytes)
        case .socks5(let socks):
            writes = [socks.credentials == nil ? [5, 1, 0] : [5, 2, 0, 2]]
            modelSOCKS(bytes, credentials: socks.credentials != nil)
        }
    }

    /// Heads end at CRLFCRLF; 1xx heads (but 101) are passed over; a 2xx opens the tunnel.
    private mutating func modelHTTP(_ bytes: [UInt8]) {
        var start = 0
        while let end = Self.headEnd(bytes, from: start) {
            let line = bytes[start...].prefix { $0 != 0x0D }
            let parts = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[1].count == 3, let code = Int(String(decoding: parts[1], as: UTF8.self)) else { return }
            if (100...199).contains(code) && code != 101 {
                start = end
                continue
            }
            httpStatus = code
            if (200...299).contains(code) { opensAt = end }
            return
        }
    }

    private static func headEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 3
        while index < bytes.count {
            if bytes[index - 3] == 0x0D && bytes[index - 2] == 0x0A && bytes[index - 1] == 0x0D && bytes[index] == 0x0A {
                return index + 1
            }
            index += 1
        }
        return nil
    }

    /// Method choice, then RFC 1929 status if chosen, then the reply: success opens.
    private mutating func modelSOCKS(_ bytes: [UInt8], credentials: Bool) {
        guard bytes.count >= 2, bytes[0] == 5 else { return }
        var offset = 2
        switch bytes[1] {
        case 0: break
        case 2 where credentials:
            writes.append(Self.authentication)
            guard bytes.count >= 4, bytes[3] == 0 else { return }
            offset = 4
        default: return
        }
        writes.append(Self.connect)
        let reply = bytes[offset...]
        guard reply.count >= 5, reply.first == 5, reply[offset + 1] == 0 else { return }
        let address: Int
        switch reply[offset + 3] {
        case 1: address = 4
        case 4: address = 16
        case 3: address = 1 + Int(reply[offset + 4])
        default: return
        }
        if reply.count >= 6 + address { opensAt = offset + 6 + address }
    }
}
