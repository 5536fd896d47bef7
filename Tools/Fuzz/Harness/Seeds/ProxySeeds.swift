/// Seed inputs for the proxy targets: the PROXY protocol specification's examples, and proxy
/// answers of each kind.
enum ProxySeeds {
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    static func header() -> [(name: String, bytes: [UInt8])] {
        let v2IPv4: [UInt8] = v2Signature + [0x21, 0x11, 0x00, 0x12, 192, 0, 2, 1, 198, 51, 100, 2, 0xDC, 0x04, 0x01, 0xBB]
            + [0x04, 0x00, 0x03, 0x61, 0x62, 0x63]  // a TLV (PP2_TYPE_NOOP)
        let longestAddress = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        let v2IPv6: [UInt8] = v2Signature + [0x21, 0x21, 0x00, 0x24] + [UInt8](repeating: 0, count: 15) + [1]
            + [UInt8](repeating: 0, count: 15) + [2] + [0x30, 0x39, 0x01, 0xBB]
        let headers: [(String, [UInt8])] = [
            ("v1-tcp4", Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET / HTTP/1.1\r\n".utf8)),
            ("v1-tcp6", Array("PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n".utf8)),
            ("v1-unknown", Array("PROXY UNKNOWN\r\n".utf8)),
            ("v1-longest", Array("PROXY UNKNOWN \(longestAddress) \(longestAddress) 65535 65535\r\n".utf8)),  // 107 bytes
            ("v1-one-too-long", Array("PROXY UNKNOWN \(longestAddress) \(longestAddress) 65535 655355\r\n".utf8)),
            ("v2-ipv4-tlv", v2IPv4 + [0x16, 0x03, 0x01]),
            ("v2-ipv6", v2IPv6),
            ("v2-local", v2Signature + [0x20, 0x00, 0x00, 0x00]),
            ("not-a-header", Array("GET / HTTP/1.1\r\n\r\n".utf8)),
        ]
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, bytes) in headers {
            seeds.append((name, [0, 9] + bytes))
            seeds.append((name + "-bytewise", [1, 0] + bytes))
        }
        return seeds
    }

    static func answers() -> [(name: String, bytes: [UInt8])] {
        let reply: [UInt8] = [5, 0, 0, 1, 127, 0, 0, 1, 0x1F, 0x90]
        let answers: [(String, UInt8, [UInt8])] = [
            ("http-200", 0, Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)),
            ("http-100-then-200", 0, Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nVia: 1.1 p\r\n\r\n".utf8)),
            ("http-407", 0, Array("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n".utf8)),
            ("socks-open", 1, [5, 0] + reply),
            ("socks-refused", 1, [5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0]),
            ("socks-name-reply", 1, [5, 0, 5, 0, 0, 3, 4] + Array("host".utf8) + [0, 80]),
            ("socks-ff", 1, [5, 0xFF]),
            ("socks-auth-open", 2, [5, 2, 1, 0] + reply),
            ("socks-auth-rejected", 2, [5, 2, 1, 1]),
        ]
        var seeds: [(name: String, bytes: [UInt8])] = []
        // A byte at a time, each answer is read alone; in one read, a SOCKS5 proxy's answers
        // after the first come ahead of their requests, a protocol error of its own.
        for (name, kind, bytes) in answers {
            seeds.append((name + "-bytewise", [kind, 0, 0] + bytes))
            seeds.append((name + "-one-read", [kind, 0, 9] + bytes))
        }
        return seeds
    }
}
