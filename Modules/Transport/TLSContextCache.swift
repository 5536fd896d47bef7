#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension TLSContext {
    /// A client context for `configuration`, shared by every connect with an equal
    /// configuration instead of made anew each time.
    ///
    /// Making a context costs 140-290 µs of OpenSSL 3 work here (`SSL_CTX_new` fetches every
    /// algorithm from its providers; a `.pemFile` CA bundle is parsed again), about a fifth of
    /// a client's whole `wss://` handshake; a session from a shared context costs 3 µs.
    ///
    /// Not cached, made each time: configurations with a ``TLSConfiguration/verificationHook``
    /// (closures cannot be compared) and CA files that cannot be `stat`ed (so that the error
    /// comes from loading them). A `.pemFile` is keyed by its path and its device, inode, size
    /// and modification time, so a rewritten CA bundle is read again on the next connect.
    /// - Parameter configuration: the client's TLS settings.
    /// - Returns: a context with exactly those settings.
    /// - Throws: as ``init(client:)``.
    public static func shared(client configuration: TLSConfiguration) throws(TransportError) -> TLSContext {
        guard let key = ClientContextKey(configuration) else { return try TLSContext(client: configuration) }
        if let cached = ClientContextCache.shared.context(for: key) { return cached }
        let context = try TLSContext(client: configuration)
        ClientContextCache.shared.store(context, for: key, identity: configuration.identity)
        return context
    }
}

/// What makes two client configurations give the same context.
struct ClientContextKey: Hashable {
    var trustRoots: TLSTrustRoots
    var trustFile: FileStamp?
    /// The identity object itself: the cache entry keeps it alive, so its address cannot be
    /// reused by another identity while the entry exists.
    var identity: ObjectIdentifier?
    var serverName: String?
    var minimumVersion: TLSVersion
    var maximumVersion: TLSVersion?
    var applicationProtocols: [String]
    var allowsUncleanShutdown: Bool
    var resumesSessions: Bool

    /// nil when the configuration must not be cached (see ``TLSContext/shared(client:)``).
    init?(_ configuration: TLSConfiguration) {
        guard configuration.verificationHook == nil else { return nil }
        trustRoots = configuration.trustRoots
        if case .pemFile(let path) = configuration.trustRoots {
            guard let stamp = FileStamp(path: path) else { return nil }
            trustFile = stamp
        }
        identity = configuration.identity.map(ObjectIdentifier.init)
        serverName = configuration.serverName
        minimumVersion = configuration.minimumVersion
        maximumVersion = configuration.maximumVersion
        applicationProtocols = configuration.applicationProtocols
        allowsUncleanShutdown = configuration.allowsUncleanShutdown
        resumesSessions = configuration.resumesSessions
    }
}

/// A file's identity and version as `stat(2)` reports them.
struct FileStamp: Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(truncatingIfNeeded: status.st_dev)
        inode = UInt64(truncatingIfNeeded: status.st_ino)
        size = Int64(status.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int(status.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int(status.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int(status.st_mtim.tv_nsec)
        #endif
    }
}

/// The process's client contexts, at most ``capacity``, the least recently used evicted first.
final class ClientContextCache: @unchecked Sendable {
    static let shared = ClientContextCache()

    /// Distinct client configurations kept; a process rarely has more than a few.
    static let capacity = 16

    private struct Entry {
        var context: TLSContext
        var identity: TLSIdentity?
        var lastUse: UInt64
    }

    private let lock = Lock()
    /// Guarded by `lock`.
    private var entries: [ClientContextKey: Entry] = [:]
    private var uses: UInt64 = 0

    func context(for key: ClientContextKey) -> TLSContext? {
        lock.withLock {
            uses &+= 1
            entries[key]?.lastUse = uses
            return entries[key]?.context
        }
    }

    func store(_ context: TLSContext, for key: ClientContextKey, identity: TLSIdentity?) {
        lock.withLock {
            uses &+= 1
            if entries[key] == nil, entries.count >= Self.capacity,
               let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                entries[oldest] = nil
            }
            entries[key] = Entry(context: context, identity: identity, lastUse: uses)
        }
    }

    /// How many contexts are cached (for tests).
    var count: Int { lock.withLock { entries.count } }
}
