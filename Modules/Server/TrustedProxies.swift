import WebSocketHandshake
import WebSocketTransport

extension WebSocketServer {
    /// HTTP reverse proxies in front of the server that name the client in a header: nginx
    /// (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), Caddy, Envoy, HAProxy
    /// in HTTP mode, a cloud load balancer (``Configuration/trustedProxies``).
    ///
    /// A request from one of ``addresses`` (or over a Unix socket, which only local processes
    /// with the file's permissions reach) has its client read from ``header``: walking the
    /// addresses the proxies appended from the last, the first that is not a trusted proxy is
    /// the client (``UpgradeRequest/clientAddress``). Anything before it was written by the
    /// client or proxies not trusted, and is not believed. A request from another address
    /// keeps its own: the header is then anyone's words.
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
        /// (`10.0.0.0/8`, `fd00::/8`). An IPv4-mapped IPv6 address is its IPv4 address.
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

    /// - Throws: a message naming the first entry that is neither an address nor a CIDR range.
    init(_ proxies: WebSocketServer.TrustedProxies) throws(TrustedProxiesError) {
        header = proxies.header
        ranges = try proxies.addresses.map { (entry) throws(TrustedProxiesError) in
            guard let range = IPAddressRange(entry) else { throw TrustedProxiesError(entry: entry) }
            return range
        }
    }

    /// The client of a request from `peer` with `headers`: the peer's IP address unless the
    /// peer is a trusted proxy (or a Unix socket's), else the last address of the header that
    /// is not a trusted proxy. An entry that is not an address (`unknown`, an obfuscated
    /// identifier, garbage) stops the walk: the proxy that wrote it is the client as far as
    /// anyone can tell. Nil for a Unix socket's peer with no usable header.
    func client(peer: SocketAddress?, headers: HTTPHeaders) -> String? {
        let peerIP = peer.flatMap { $0.family == .unix ? nil : $0.unmappingIPv4 }
        if let peerIP, !isTrusted(peerIP) { return peerIP.host }
        var client = peerIP?.host
        for entry in entries(headers).reversed() {
            guard let address = entry.flatMap({ SocketAddress(ipAddress: $0, port: 0)?.unmappingIPv4 }) else { break }
            client = address.host
            if !isTrusted(address) { break }
        }
        return client
    }

    private func isTrusted(_ address: SocketAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The header's addresses in order, the client's first; nil for an entry with no
    /// address (RFC 7239's `unknown` and obfuscated nodes, a missing `for`).
    private func entries(_ headers: HTTPHeaders) -> [String?] {
        switch header {
        case .xForwardedFor:
            headers.values(for: "X-Forwarded-For").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .map { ForwardedHeader.nodeName(String($0.trimmingOWS())) }
        case .forwarded:
            headers.values(for: "Forwarded").flatMap(ForwardedHeader.forValues).map { $0.flatMap(ForwardedHeader.nodeName) }
        }
    }
}

/// A ``WebSocketServer/TrustedProxies`` entry that is neither an IP address nor a CIDR range.
struct TrustedProxiesError: Error {
    let entry: String
}

/// An IP address with a prefix length (`10.0.0.0/8`), or one address (`::1`, all bits).
struct IPAddressRange: Sendable, Hashable {
    /// The network's bytes (4 or 16), IPv4-mapped IPv6 as IPv4.
    let network: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = SocketAddress(ipAddress: String(parts[0]), port: 0) else { return nil }
        let mapped = address.family == .ipv6 && address.unmappingIPv4.family == .ipv4
        network = address.unmappingIPv4.addressBytes
        let bits = network.count * 8
        guard parts.count == 2 else {
            prefixLength = bits
            return
        }
        guard parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), parts[1].utf8.count <= 3,
              var length = Int(parts[1]) else { return nil }
        if mapped { length -= 96 }  // ::ffff:10.0.0.0/104 is 10.0.0.0/8
        guard (0...bits).contains(length) else { return nil }
        prefixLength = length
    }

    /// Whether `address` (unmapped) is in the range.
    func contains(_ address: SocketAddress) -> Bool {
        let bytes = address.unmappingIPv4.addressBytes
        guard bytes.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard bytes[index] & mask == network[index] & mask else { return false }
            remaining -= 8
        }
        return true
    }
}

/// The parts of RFC 7239's `Forwarded` header and of `X-Forwarded-For` entries that name a node.
enum ForwardedHeader {
    /// The `for` value of each element of a `Forwarded` field value (RFC 7239 §4:
    /// `forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )`, elements separated
    /// by commas), unquoted; nil for an element without one.
    static func forValues(_ field: String) -> [String?] {
        split(field, on: ",").map { element in
            for pair in split(element, on: ";") {
                let trimmed = pair.trimmingOWS()
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                guard trimmed[..<equals].lowercased() == "for" else { continue }
                return unquoted(trimmed[trimmed.index(after: equals)...])
            }
            return nil
        }
    }

    /// The address of a node (RFC 7239 §6: `node = nodename [ ":" node-port ]`, `nodename =
    /// IPv4address / "[" IPv6address "]" / "unknown" / obfnode`), as `X-Forwarded-For`
    /// entries also come (`192.0.2.7`, `192.0.2.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`);
    /// nil when it names no address.
    static func nodeName(_ node: String) -> String? {
        if node.hasPrefix("[") {
            guard let close = node.firstIndex(of: "]") else { return nil }
            return String(node[node.index(after: node.startIndex)..<close])
        }
        let colons = node.filter { $0 == ":" }.count
        // One colon: IPv4 with a port. More: a bare IPv6 address (X-Forwarded-For writes them so).
        let name = colons == 1 ? String(node[..<node.firstIndex(of: ":")!]) : node
        return SocketAddress(ipAddress: name, port: 0) == nil ? nil : name
    }

    /// `text` split at `separator` outside quoted strings.
    private static func split(_ text: some StringProtocol, on separator: Character) -> [Substring] {
        let text = Substring(text)
        var parts: [Substring] = []
        var start = text.startIndex
        var inQuotes = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if escaped { escaped = false; continue }
            if inQuotes && character == "\\" { escaped = true; continue }
            if character == "\"" { inQuotes.toggle(); continue }
            if character == separator && !inQuotes {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
        }
        parts.append(text[start...])
        return parts
    }

    /// A token, or a quoted-string without its quotes and escapes (RFC 9110 §5.6.4).
    private static func unquoted(_ value: Substring) -> String {
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return String(value) }
        var result = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if !escaped && character == "\\" { escaped = true; continue }
            escaped = false
            result.append(character)
        }
        return result
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (RFC 9110's OWS).
    fileprivate func trimmingOWS() -> SubSequence {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }), let last = lastIndex(where: { !isOWS($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
