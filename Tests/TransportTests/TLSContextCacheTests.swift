import Glibc
import Testing
@testable import WebSocketTransport

/// `TLSContext.shared(client:)`: a client context made once per configuration, not per connect.
@Suite("TLS client context cache")
struct TLSContextCacheTests {
    static func configuration(trust path: String = TLSFixtures.path("ca.pem")) -> TLSConfiguration {
        var configuration = TLSConfiguration()
        configuration.trustRoots = .pemFile(path)
        return configuration
    }

    @Test func equalConfigurationsShareOneContext() throws {
        var configuration = Self.configuration()
        configuration.applicationProtocols = ["http/1.1", "cache-test-equal"]
        let first = try TLSContext.shared(client: configuration)
        let second = try TLSContext.shared(client: configuration)
        #expect(first === second)
        var other = configuration
        other.serverName = "elsewhere.example"
        #expect(try TLSContext.shared(client: other) !== first)
        other = configuration
        other.minimumVersion = .v1_3
        #expect(try TLSContext.shared(client: other) !== first)
        other = configuration
        other.identity = try TLSFixtures.identity("client")
        let withIdentity = try TLSContext.shared(client: other)
        #expect(withIdentity !== first)
        #expect(try TLSContext.shared(client: other) === withIdentity)
    }

    @Test func aVerificationHookIsNeverShared() throws {
        var configuration = Self.configuration()
        configuration.verificationHook = { _ in true }
        let first = try TLSContext.shared(client: configuration)
        #expect(try TLSContext.shared(client: configuration) !== first)
        #expect(first.verificationHook != nil)
    }

    /// A rewritten CA bundle is read again: the key holds the file's inode, size and mtime.
    @Test func aRewrittenCAFileIsReadAgain() throws {
        let path = "/tmp/swiftws-cache-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pem"
        defer { unlink(path) }
        try write(try OpenSSLFile.read(TLSFixtures.path("ca.pem")), to: path)
        let first = try TLSContext.shared(client: Self.configuration(trust: path))
        #expect(try TLSContext.shared(client: Self.configuration(trust: path)) === first)
        try write(try OpenSSLFile.read(TLSFixtures.path("other-ca.pem")) + [0x0A], to: path)
        #expect(try TLSContext.shared(client: Self.configuration(trust: path)) !== first)
        unlink(path)
        // A missing file is not cached: its error comes from loading it.
        #expect(transportErrorKind { _ = try TLSContext.shared(client: Self.configuration(trust: path)) } != nil)
    }

    @Test func theCacheKeepsAtMostItsCapacity() throws {
        let cache = ClientContextCache()
        let context = try TLSContext(client: Self.configuration())
        for index in 0..<(ClientContextCache.capacity + 5) {
            var configuration = Self.configuration()
            configuration.serverName = "host\(index).example"
            cache.store(context, for: try #require(ClientContextKey(configuration)), identity: nil)
        }
        #expect(cache.count == ClientContextCache.capacity)
        // The most recent entry stays; the first ones were evicted.
        var last = Self.configuration()
        last.serverName = "host\(ClientContextCache.capacity + 4).example"
        #expect(cache.context(for: try #require(ClientContextKey(last))) === context)
        var first = Self.configuration()
        first.serverName = "host0.example"
        #expect(cache.context(for: try #require(ClientContextKey(first))) == nil)
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        let file = try #require(fopen(path, "wb"))
        defer { fclose(file) }
        #expect(bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } == bytes.count)
    }
}
