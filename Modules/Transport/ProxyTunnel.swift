/// The `CONNECT` exchange that opens a tunnel through an HTTP proxy (RFC 9110 §9.3.6), without
/// I/O: the request to write, then the proxy's response head, fed as it arrives.
///
/// RFC 9110 §9.3.6: "A CONNECT request message … the request-target consists of only the host
/// name and port number of the tunnel destination, separated by a colon", and "Any 2xx
/// (Successful) response indicates that the sender (and all inbound proxies) will switch to
/// tunnel mode immediately after the response header section"; any other status refuses.
struct ProxyTunnel {
    /// The longest response head accepted (status line and headers).
    static let maxResponseHead = 16 * 1024

    /// The request, written once.
    let request: [UInt8]
    /// `host:port` of the proxy, for errors.
    let proxyEndpoint: String
    private var response: [UInt8] = []

    /// Prepares the request for a tunnel to `host:port` through `proxy`.
    /// - Throws: `.proxy` when a name or the authorization holds a control character (they
    ///   would end the request line or a header early: header injection).
    init(host: String, port: Int, proxy: HTTPProxy) throws(TransportError) {
        proxyEndpoint = Channel.endpoint(host: proxy.host, port: proxy.port)
        let target = Channel.endpoint(host: host, port: port)
        for value in [target, proxy.authorization ?? ""] where value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw TransportError(.proxy("a control character in the tunnel's target or authorization"), endpoint: proxyEndpoint)
        }
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let authorization = proxy.authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
        request = Array((head + "\r\n").utf8)
    }

    /// Takes response bytes; true once the tunnel is open (the bytes held exactly a 2xx head).
    /// - Throws: `.proxyRefused` for a status other than 2xx; `.proxy` for a malformed or
    ///   oversized head, or bytes after a 2xx head (nothing may come through the tunnel before
    ///   the client speaks).
    mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Bool {
        response.append(contentsOf: bytes)
        guard let end = headEnd() else {
            if response.count > Self.maxResponseHead { throw failure("a response head over 16 KiB") }
            return false
        }
        let status = try statusLine()
        guard (200...299).contains(status.code) else {
            throw TransportError(.proxyRefused(status: status.code, reason: status.reason), endpoint: proxyEndpoint)
        }
        guard end == response.count else { throw failure("bytes after its 2xx response, before the tunnel was used") }
        return true
    }

    /// The index just past the head's blank line, once it arrived.
    private func headEnd() -> Int? {
        guard response.count >= 4 else { return nil }
        for index in 3..<min(response.count, Self.maxResponseHead + 4)
        where response[index - 3] == 0x0D && response[index - 2] == 0x0A && response[index - 1] == 0x0D && response[index] == 0x0A {
            return index + 1
        }
        return nil
    }

    /// `HTTP/1.x SP 3DIGIT SP reason` (RFC 9112 §4), the reason possibly empty.
    private func statusLine() throws(TransportError) -> (code: Int, reason: String) {
        let line = response.prefix { $0 != 0x0D }
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[0].count == 8,
              parts[1].count == 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(parts[1]) else {
            throw failure("a malformed status line")
        }
        let reason = parts.count > 2 ? String(parts[2].prefix(64)).filter { $0.isASCII && !$0.isNewline } : ""
        return (code, reason)
    }

    private func failure(_ what: String) -> TransportError {
        TransportError(.proxy("the proxy answered CONNECT with " + what), endpoint: proxyEndpoint)
    }
}
