import WebSocketHandshake
import WebSocketTransport

extension WebSocketServer {
    /// HTTP reverse proxies in front of the server that name the client in a header: nginx
    /// (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), Caddy, Envoy, HAProxy
    /// in HTTP mode, a cloud load balancer (``Configuration/trustedProxies``).
    ///
    /// A request from one of ``addresses`` (or from a Unix socket's peer, which only local
    /// processes with the file's permissions reach, unless the PROXY protocol names another)
    /// has its client read from ``header``: walking the addresses the proxies appended from
    /// the last, the first that is not a trusted proxy is the client
    /// (``UpgradeRequest/clientAddress``). Anything before it was written by the client or by
    /// proxies not trusted, and is not believed. The client is unknown (nil) when the header
    /// breaks its grammar (an unclosed quote could otherwise hide what the proxy appended) or
    /// the walk meets an entry without an address (`unknown`, an obfuscated node) before an
    /// untrusted one. A request from another address keeps its own: the header is then
    /// anyone's words.
    ///
    /// Name the header your proxies maintain, and only that one: a proxy that appends to
    /// `X-Forwarded-For` passes a client's own `Forwarded` through untouched.
    public struct TrustedProxies: Sendable, Hashable {
        /// The header the proxies write the client's address into.
        public enum Header: Sendable, Hashable {
            /// `Forwarded` (RFC 7239): its elements' `for=` parameters, e.g.
            /// `for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"`.
            case forwarded
            /// `X-Forwarded-For`: comma-separated addresses, the client first.
            case xForwardedFor
        }

        /// The header the proxies maintain. Default `X-Forwarded-For`.
        public var header: Header
        /// The proxies: IPv4 or IPv6 addresses (`10.0.0.5`, `::1`) or CIDR ranges
        /// (`10.0.0.0/8`, `fd00::/8`), as narrow as the proxies allow: anything else inside
        /// them can name any client. An IPv4-mapped IPv6 address is its IPv4 address. Refused
        /// at `start`: a prefix of 0 (everyone), bits set past the prefix (`10.0.0.5/8`, a
        /// typo), and link-local IPv6 (`fe80::/10`: the same address on every interface).
        public var addresses: [String]

        /// Proxies at `addresses` maintaining `header`.
        public init(header: Header = .xForwardedFor, addresses: [String]) {
            self.header = header
            self.addresses = addresses
        }
    }
}

/// ``WebSocketServer/TrustedProxies`` ready to use: the ranges parsed.
struct ForwardedClients: Sendable {
    let header: WebSocketServer.TrustedProxies.Header
    let ranges: [IPAddressRange]

    /// - Throws: the first entry that is not an acceptable address or range.
    init(_ proxies: WebSocketServer.TrustedProxies) throws(TrustedProxiesError) {
        header = proxies.header
        ranges = try proxies.addresses.map { (entry) throws(TrustedProxiesError) in
            guard let range = IPAddressRange(entry) else { throw TrustedProxiesError(entry: entry) }
            return range
        }
    }

    /// Who a request is from: the client's IP address (nil: unknown), and whether a trusted
    /// proxy's header named it.
    struct Client: Equatable {
        var address: String?
        var isForwarded: Bool
    }

    /// The client of a request from `peer` with `headers`.
    /// - Parameters:
    ///   - peer: the connection's peer (the PROXY protocol's client); nil when it has no
    ///     address.
    ///   - isLocal: whether the listener is a Unix socket's, so that a peer without an
    ///     address is a local process (on TCP such a peer is trusted with nothing).
    func client(peer: SocketAddress?, isLocal: Bool, headers: HTTPHeaders) -> Client {
        let peerIP = peer.flatMap { $0.family == .unix ? nil : $0.unmappingIPv4 }
        if let peerIP, !isTrusted(peerIP) { return Client(address: peerIP.host, isForwarded: false) }
        guard peerIP != nil || isLocal else { return Client(address: nil, isForwarded: false) }
        guard let nodes = nodes(headers) else { return Client(address: nil, isForwarded: true) }
        guard !nodes.isEmpty else { return Client(address: peerIP?.host, isForwarded: false) }
        var client: SocketAddress?
        for node in nodes.reversed() {
            guard let address = node else { return Client(address: nil, isForwarded: true) }
            client = address
            if !isTrusted(address) { break }
        }
        return Client(address: client?.host, isForwarded: true)
    }

    private func isTrusted(_ address: SocketAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The header's nodes in order, the client's first: an address, or nil for a node
    /// without one; nil when a field breaks the header's grammar.
    private func nodes(_ headers: HTTPHeaders) -> [SocketAddress?]? {
        var nodes: [SocketAddress?] = []
        switch header {
        case .xForwardedFor:
            for field in headers.values(for: "X-Forwarded-For") {
                for entry in field.split(separator: ",", omittingEmptySubsequences: false) {
                    nodes.append(ForwardedNode.address(ofNode: HTTPGrammar.trimmingWhitespace(entry), bareIPv6: true))
                }
            }
        case .forwarded:
            for field in headers.values(for: "Forwarded") {
                guard let values = ForwardedHeader.forValues(field) else { return nil }
                nodes += values.map { $0.flatMap { ForwardedNode.address(ofNode: $0, bareIPv6: false) } }
            }
        }
        return nodes
    }
}

/// A ``WebSocketServer/TrustedProxies`` entry that is not an acceptable address or range.
struct TrustedProxiesError: Error {
    let entry: String
}

/// An IP address with a prefix length (`10.0.0.0/8`), or one address (`::1`, all bits).
struct IPAddressRange: Sendable, Hashable {
    /// The network's bytes (4 or 16), IPv4-mapped IPv6 as IPv4.
    let network: [UInt8]
    let prefixLength: Int

    /// Nil for a malformed entry, a prefix of 0, bits set past the prefix, or link-local IPv6.
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = SocketAddress(ipAddress: String(parts[0]), port: 0) else { return nil }
        let mapped = address.family == .ipv6 && address.unmappingIPv4.family == .ipv4
        network = address.unmappingIPv4.addressBytes
        if network.count == 16 && network[0] == 0xFE && network[1] & 0xC0 == 0x80 { return nil }  // fe80::/10
        let bits = network.count * 8
        var length = bits
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), (1...3).contains(parts[1].utf8.count),
                  let written = Int(parts[1]) else { return nil }
            length = mapped ? written - 96 : written  // ::ffff:10.0.0.0/104 is 10.0.0.0/8
        }
        guard (1...bits).contains(length) else { return nil }
        prefixLength = length
        guard Self.masked(network, length) == network else { return nil }
    }

    /// Whether `address` (unmapped) is in the range.
    func contains(_ address: SocketAddress) -> Bool {
        let bytes = address.unmappingIPv4.addressBytes
        return bytes.count == network.count && Self.masked(bytes, prefixLength) == network
    }

    /// `bytes` with every bit past the first `length` cleared.
    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.indices.map { index in
            let kept = min(max(length - index * 8, 0), 8)
            return kept == 8 ? bytes[index] : bytes[index] & ~(0xFF >> UInt8(kept))
        }
    }
}

/// The nodes of RFC 7239's `Forwarded` and of `X-Forwarded-For`.
enum ForwardedNode {
    /// The address a node names (RFC 7239 §6: `node = nodename [ ":" node-port ]`, `nodename =
    /// IPv4address / "[" IPv6address "]" / "unknown" / obfnode`, `node-port = port /
    /// obfport`), nil for `unknown`, an obfuscated node or anything malformed.
    /// `X-Forwarded-For` writes nodes the same way, and IPv6 also bare (`bareIPv6`).
    static func address(ofNode node: String, bareIPv6: Bool) -> SocketAddress? {
        if node.hasPrefix("[") {
            guard let close = node.firstIndex(of: "]"),
                  let address = SocketAddress(ipAddress: String(node[node.index(after: node.startIndex)..<close]), port: 0),
                  address.family == .ipv6, isPort(node[node.index(after: close)...]) else { return nil }
            return address.unmappingIPv4
        }
        let colons = node.utf8.count { $0 == UInt8(ascii: ":") }
        if colons >= 2 {
            guard bareIPv6, let address = SocketAddress(ipAddress: node, port: 0), address.family == .ipv6 else { return nil }
            return address.unmappingIPv4
        }
        let parts = node.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = SocketAddress(ipAddress: String(parts[0]), port: 0), address.family == .ipv4,
              isPort(parts.count == 2 ? ":" + parts[1] : "") else { return nil }
        return address
    }

    /// Empty (no port), or `":"` and a port (0-65535) or an obfuscated one (`_x1`).
    private static func isPort(_ text: some StringProtocol) -> Bool {
        if text.isEmpty { return true }
        let port = text.dropFirst()
        guard text.first == ":", !port.isEmpty else { return false }
        if port.first == "_" {
            return port.dropFirst().allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }
        }
        return port.count <= 5 && port.allSatisfy { $0.isASCII && $0.isNumber } && Int(port).map { $0 <= 65535 } == true
    }
}
