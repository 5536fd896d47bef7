/// The `CONNECT` exchange that opens a tunnel through an HTTP proxy (RFC 9110 §9.3.6), without
/// I/O: the request to write, then the proxy's response head, fed as it arrives.
///
/// RFC 9110 §9.3.6: "A CONNECT request message … the request-target consists of only the host
/// name and port number of the tunnel destination, separated by a colon", and "Any 2xx
/// (Successful) response indicates that the sender (and all inbound proxies) will switch to
/// tunnel mode immediately after the response header section"; any other status refuses.
struct ProxyTunnel: ProxyNegotiation {
    /// The longest response head accepted (status line and headers).
    static let maxResponseHead = 16 * 1024

    /// The request, written once.
    let request: [UInt8]
    /// Whether ``takeOutgoing()`` handed out the request.
    private var requestTaken = false
    /// `host:port` of the proxy, for errors.
    let proxyEndpoint: String
    private var response: [UInt8] = []
    /// How much of ``response`` was searched for the head's end.
    private var scanned = 0

    /// Prepares the request for a tunnel to `host:port` through `proxy`.
    /// - Throws: `.proxy` when the host is not a name or an IP address (a space or a control
    ///   character would end the request line early: request splitting), or the authorization
    ///   holds a control character (header injection).
    init(host: String, port: Int, proxy: HTTPProxy) throws(TransportError) {
        proxyEndpoint = Channel.endpoint(host: proxy.host, port: proxy.port)
        let name = TunnelProxy.withoutZoneID(host)
        guard !name.isEmpty, name.utf8.allSatisfy(TunnelProxy.isHostByte) else {
            throw TransportError(.proxy("the tunnel's target is not a host name or an IP address"), endpoint: proxyEndpoint)
        }
        if let authorization = proxy.authorization, authorization.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw TransportError(.proxy("a control character in the proxy's authorization"), endpoint: proxyEndpoint)
        }
        let target = Channel.endpoint(host: name, port: port)
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let authorization = proxy.authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
        request = Array((head + "\r\n").utf8)
    }

    mutating func takeOutgoing() -> [UInt8] {
        defer { requestTaken = true }
        return requestTaken ? [] : request
    }

    var closedEarlyError: TransportError {
        TransportError(.proxy(TransportError.httpProxyClosedEarly), endpoint: proxyEndpoint)
    }

    /// Takes response bytes; true once the tunnel is open (the bytes held exactly a 2xx head,
    /// after any interim 1xx heads).
    /// - Throws: `.proxyRefused` for a final status other than 2xx; `.proxy` for a malformed or
    ///   oversized head, or bytes after a 2xx head (nothing may come through the tunnel before
    ///   the client speaks).
    mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Bool {
        response.append(contentsOf: bytes)
        while let end = headEnd() {
            let status = try statusLine()
            // RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received
            // prior to a final response". They say nothing about the tunnel; the final one does.
            // (101, a protocol switch, cannot answer CONNECT and fails as a refusal.)
            if (100...199).contains(status.code) && status.code != 101 {
                response.removeFirst(end)
                scanned = 0
                continue
            }
            guard (200...299).contains(status.code) else {
                throw TransportError(.proxyRefused(status: status.code, reason: status.reason), endpoint: proxyEndpoint)
            }
            guard end == response.count else { throw failure("bytes after its 2xx response, before the tunnel was used") }
            return true
        }
        if response.count > Self.maxResponseHead { throw failure("a response head over 16 KiB") }
        return false
    }

    /// The index just past the head's blank line, once it arrived. Each byte is looked at once
    /// (``scanned``), so a proxy answering a byte at a time costs no rescans.
    private mutating func headEnd() -> Int? {
        var index = max(3, scanned)
        while index < response.count {
            if response[index] == 0x0A && response[index - 1] == 0x0D && response[index - 2] == 0x0A && response[index - 3] == 0x0D {
                return index + 1
            }
            index += 1
        }
        scanned = index
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
        // The proxy's words go into error messages: printable ASCII only, at most 64 bytes.
        let reason = parts.count > 2 ? String(String(parts[2]).unicodeScalars.filter { (0x20..<0x7F).contains($0.value) }.prefix(64)) : ""
        return (code, reason)
    }

    private func failure(_ what: String) -> TransportError {
        TransportError(.proxy("the proxy answered CONNECT with " + what), endpoint: proxyEndpoint)
    }
}
