import Testing
import WebSocketTransport

@Suite("SocketAddress and name resolution")
struct SocketAddressTests {
    @Test func parsesIPv4() throws {
        let address = try #require(SocketAddress(ipAddress: "127.0.0.1", port: 9001))
        #expect(address.family == .ipv4)
        #expect(address.host == "127.0.0.1")
        #expect(address.port == 9001)
        #expect(address.description == "127.0.0.1:9001")
    }

    @Test func parsesIPv6WithAndWithoutBrackets() throws {
        let plain = try #require(SocketAddress(ipAddress: "::1", port: 9001))
        let bracketed = try #require(SocketAddress(ipAddress: "[::1]", port: 9001))
        #expect(plain == bracketed)
        #expect(plain.family == .ipv6)
        #expect(plain.description == "[::1]:9001")
        #expect(SocketAddress(ipAddress: "2001:db8::1", port: 1)?.host == "2001:db8::1")
    }

    @Test func addressBytesAreInNetworkOrder() throws {
        #expect(try #require(SocketAddress(ipAddress: "192.168.1.20", port: 1)).addressBytes == [192, 168, 1, 20])
        let v6 = try #require(SocketAddress(ipAddress: "[2001:db8::ff:1]", port: 1)).addressBytes
        #expect(v6 == [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 8) + [0x00, 0xff, 0x00, 0x01])
    }

    @Test func rejectsNonNumericAndBadPorts() {
        #expect(SocketAddress(ipAddress: "localhost", port: 1) == nil)
        #expect(SocketAddress(ipAddress: "127.0.0.1", port: 70000) == nil)
        #expect(SocketAddress(ipAddress: "127.0.0.1", port: -1) == nil)
    }

    @Test func resolvesNumericHostsWithoutLookup() throws {
        #expect(try SocketAddress.resolve(host: "127.0.0.1", port: 80).map(\.description) == ["127.0.0.1:80"])
        #expect(try SocketAddress.resolve(host: "[::1]", port: 80).map(\.description) == ["[::1]:80"])
    }

    @Test func resolvesLocalhostToLoopback() throws {
        let addresses = try SocketAddress.resolve(host: "localhost", port: 8080)
        #expect(!addresses.isEmpty)
        for address in addresses {
            #expect(["127.0.0.1", "::1"].contains(address.host))
            #expect(address.port == 8080)
        }
        #expect(Set(addresses).count == addresses.count)
    }

    /// A name with an empty label: the resolver rejects it locally, without asking any DNS
    /// server (this test never leaves the machine).
    @Test func resolutionFailureNamesTheHost() {
        #expect {
            try SocketAddress.resolve(host: "nonexistent..invalid", port: 80)
        } throws: { error in
            guard let error = error as? TransportError, case .resolution(let host, let message) = error.kind else {
                return false
            }
            return host == "nonexistent..invalid" && !message.isEmpty
                && error.description.hasPrefix("name resolution of nonexistent..invalid failed: ")
        }
    }

    /// RFC 4291 §2.5.5.2: `::ffff:a.b.c.d` is the IPv4 address; nothing else is unmapped.
    @Test func unmappingIPv4() throws {
        let mapped = try #require(SocketAddress(ipAddress: "::ffff:203.0.113.7", port: 443))
        #expect(mapped.family == .ipv6)
        #expect(mapped.unmappingIPv4 == SocketAddress(ipAddress: "203.0.113.7", port: 443))
        for other in ["::1", "::203.0.113.7", "::fffe:203.0.113.7", "64:ff9b::203.0.113.7", "203.0.113.7"] {
            let address = try #require(SocketAddress(ipAddress: other, port: 80))
            #expect(address.unmappingIPv4 == address, "\(other)")
        }
        let unix = try #require(SocketAddress(unixPath: "/tmp/a.sock"))
        #expect(unix.unmappingIPv4 == unix)
    }

    @Test func portOutOfRangeIsAResolutionError() {
        #expect(throws: TransportError.self) { try SocketAddress.resolve(host: "127.0.0.1", port: 65536) }
    }
}
