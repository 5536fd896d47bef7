#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The bridge between `SocketAddress` and the C `sockaddr` family. All pointer work on addresses
// lives here; pointers never leave the closures they are handed to.
extension SocketAddress {
    /// The longest Unix socket path `sockaddr_un` holds, its terminating NUL left out: 107
    /// bytes on Linux, 103 on Darwin.
    public static let maxUnixPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Reads an `AF_INET`, `AF_INET6` or `AF_UNIX` socket address; nil for any other family
    /// and for an unnamed (or abstract) Unix socket, such as a client's.
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_UNIX:
            let unix = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_un.self)
            let path = withUnsafeBytes(of: unix.sun_path) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !path.isEmpty else { return nil }
            self.init(storage: .unix(path: path), port: 0)
        case AF_INET:
            let ipv4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            self.init(storage: .ipv4(ipv4.sin_addr.s_addr), port: Int(UInt16(bigEndian: ipv4.sin_port)))
        case AF_INET6:
            let ipv6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
            let (high, low) = withUnsafeBytes(of: ipv6.sin6_addr) { bytes in
                (bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            self.init(
                storage: .ipv6(high: high, low: low, scopeID: ipv6.sin6_scope_id),
                port: Int(UInt16(bigEndian: ipv6.sin6_port))
            )
        default:
            return nil
        }
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockaddr<Result, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let networkPort = UInt16(truncatingIfNeeded: port).bigEndian
        switch storage {
        case .ipv4(let raw):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = networkPort
            address.sin_addr.s_addr = raw
            #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
            #endif
            return try Self.withRebound(&address, body)
        case .ipv6(let high, let low, let scopeID):
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = networkPort
            address.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
                bytes.storeBytes(of: high, as: UInt64.self)
                bytes.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            }
            #if canImport(Darwin)
            address.sin6_len = UInt8(MemoryLayout<sockaddr_in6>.size)
            #endif
            return try Self.withRebound(&address, body)
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            // `init?(unixPath:)` checked the length: the path and its NUL fit.
            withUnsafeMutableBytes(of: &address.sun_path) { bytes in
                for (index, byte) in path.utf8.prefix(Self.maxUnixPathLength).enumerated() { bytes[index] = byte }
            }
            #if canImport(Darwin)
            address.sun_len = UInt8(MemoryLayout<sockaddr_un>.size)
            #endif
            return try Self.withRebound(&address, body)
        }
    }

    private static func withRebound<Address, Result, Failure: Error>(
        _ address: inout Address,
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let length = socklen_t(MemoryLayout<Address>.size)
        return try withUnsafePointer(to: &address) { (pointer) throws(Failure) -> Result in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(Failure) -> Result in
                try body(raw, length)
            }
        }
    }

    /// The numeric host (`inet_ntop`), with `%scope` for scoped IPv6 addresses.
    var numericHost: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch storage {
        case .ipv4(let raw):
            var address = in_addr(s_addr: raw)
            guard inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return Self.string(buffer)
        case .ipv6(let high, let low, let scopeID):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { bytes in
                bytes.storeBytes(of: high, as: UInt64.self)
                bytes.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            }
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return scopeID == 0 ? Self.string(buffer) : "\(Self.string(buffer))%\(scopeID)"
        case .unix(let path):
            return path
        }
    }

    private static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a numeric IPv4 or IPv6 address with `inet_pton` (no scope suffix).
    static func parse(_ text: String) -> Storage? {
        var ipv4 = in_addr()
        if inet_pton(AF_INET, text, &ipv4) == 1 { return .ipv4(ipv4.s_addr) }
        var ipv6 = in6_addr()
        guard inet_pton(AF_INET6, text, &ipv6) == 1 else { return nil }
        return withUnsafeBytes(of: ipv6) { bytes in
            .ipv6(
                high: bytes.loadUnaligned(as: UInt64.self),
                low: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                scopeID: 0
            )
        }
    }
}
