/// An IPv4 or IPv6 address with a TCP port, or the path of a Unix domain socket.
///
/// `description` is `127.0.0.1:9001`, `[::1]:9001` or `unix:/run/app.sock`, the form URLs and
/// logs use.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public enum Family: Hashable, Sendable {
        /// IPv4 (`AF_INET`).
        case ipv4
        /// IPv6 (`AF_INET6`).
        case ipv6
        /// A Unix domain socket (`AF_UNIX`): a path in the file system.
        case unix
    }

    /// The address bytes, in network byte order as they sit in `sockaddr_in`/`sockaddr_in6`;
    /// a Unix socket's path.
    enum Storage: Hashable, Sendable {
        case ipv4(UInt32)
        case ipv6(high: UInt64, low: UInt64, scopeID: UInt32)
        case unix(path: String)
    }

    let storage: Storage

    /// The TCP port, 0...65535; 0 for a Unix socket.
    public let port: Int

    init(storage: Storage, port: Int) {
        self.storage = storage
        self.port = port
    }

    /// The address family.
    public var family: Family {
        switch storage {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .unix: .unix
        }
    }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6 (without the scope),
    /// none for a Unix socket.
    public var addressBytes: [UInt8] {
        switch storage {
        case .ipv4(let address): withUnsafeBytes(of: address) { Array($0) }
        case .ipv6(let high, let low, _): withUnsafeBytes(of: high) { Array($0) } + withUnsafeBytes(of: low) { Array($0) }
        case .unix: []
        }
    }

    /// The address of ``addressBytes``: 4 bytes for IPv4, 16 for IPv6, in network byte order.
    /// - Returns: nil for another count or a port outside 0...65535.
    public init?(addressBytes bytes: [UInt8], port: Int) {
        guard (0...65535).contains(port) else { return nil }
        switch bytes.count {
        case 4:
            self.init(storage: .ipv4(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }), port: port)
        case 16:
            let (high, low) = bytes.withUnsafeBytes {
                ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            self.init(storage: .ipv6(high: high, low: low, scopeID: 0), port: port)
        default:
            return nil
        }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2: how a dual-stack
    /// socket, or a PROXY header, shows an IPv4 client) as the IPv4 address it maps, with the
    /// same port; any other address as it is. Compare clients by this: one client is then one
    /// address whichever family its connection came through.
    public var unmappingIPv4: SocketAddress {
        guard case .ipv6 = storage else { return self }
        let bytes = addressBytes
        guard bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF,
              let mapped = SocketAddress(addressBytes: Array(bytes[12..<16]), port: port) else { return self }
        return mapped
    }

    /// The numeric host, e.g. `127.0.0.1` or `::1` (no brackets); a Unix socket's path.
    public var host: String { numericHost }

    /// `host:port`, with the IPv6 host in brackets: `127.0.0.1:9001`, `[::1]:9001`; `unix:` and
    /// the path for a Unix socket.
    public var description: String {
        switch storage {
        case .ipv4: "\(host):\(port)"
        case .ipv6: "[\(host)]:\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// The address of a Unix domain socket (`AF_UNIX`) at `path`.
    /// - Parameter unixPath: an absolute or relative path, at most ``maxUnixPathLength`` bytes of
    ///   UTF-8, without NUL (Linux's abstract names, which start with one, are not supported).
    /// - Returns: nil for an empty path, one with a NUL byte, or one too long for `sun_path`.
    public init?(unixPath: String) {
        guard !unixPath.isEmpty, unixPath.utf8.count <= Self.maxUnixPathLength, !unixPath.utf8.contains(0) else {
            return nil
        }
        self.init(storage: .unix(path: unixPath), port: 0)
    }

    /// ``init(unixPath:)``, or the error that says why `path` cannot be a socket's.
    static func checkedUnixPath(_ path: String) throws(TransportError) -> SocketAddress {
        guard let address = SocketAddress(unixPath: path) else {
            throw TransportError(.resolution(
                host: path, message: "not a Unix socket path (empty, a NUL, or over \(maxUnixPathLength) bytes)"))
        }
        return address
    }

    /// This address with another port.
    /// - Parameter port: the new port.
    public func withPort(_ port: Int) -> SocketAddress {
        SocketAddress(storage: storage, port: port)
    }

    /// Parses a numeric IPv4 or IPv6 address (brackets allowed: `[::1]`) without any lookup.
    /// - Parameters:
    ///   - ipAddress: e.g. `127.0.0.1`, `::1` or `[::1]`.
    ///   - port: the TCP port, 0...65535.
    /// - Returns: nil if `ipAddress` is not a numeric address or the port is out of range.
    public init?(ipAddress: String, port: Int) {
        guard (0...65535).contains(port), let storage = Self.parse(Self.stripBrackets(ipAddress)) else {
            return nil
        }
        self.init(storage: storage, port: port)
    }

    /// Removes the brackets of a URL-style IPv6 host: `[::1]` becomes `::1`.
    static func stripBrackets(_ host: String) -> String {
        guard host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 else { return host }
        return String(host.dropFirst().dropLast())
    }
}
