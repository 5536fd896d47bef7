#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The file a listening Unix domain socket leaves in the file system: what `bind` finds at its
/// path, and what closing removes.
///
/// `bind` fails with `EADDRINUSE` while the path exists, even when the socket file is stale (its
/// process died without removing it). A stale socket file is replaced; a socket someone
/// listens on, or any other kind of file, is left alone and the bind fails.
///
/// Whether a socket file is stale is decided under an exclusive `flock` of `path.lock`, held
/// while the listener lives: a server of this library between its `bind` and its `listen`
/// (when a connect is refused as by a stale file) holds it, so another cannot take its path
/// then. A socket of another program is probed with a connect: refused means stale.
struct UnixSocketFile: Sendable, Equatable {
    /// The socket's path.
    let path: String
    /// The file's device and inode once bound: what ``remove()`` checks before it unlinks.
    private let device: UInt64
    private let inode: UInt64

    /// The socket file now at `path`, just bound; nil when it cannot be examined.
    init?(boundAt path: String) {
        guard let status = Self.status(path), status.st_mode & S_IFMT == S_IFSOCK else { return nil }
        self.path = path
        device = UInt64(truncatingIfNeeded: status.st_dev)
        inode = UInt64(truncatingIfNeeded: status.st_ino)
    }

    /// Whether the file at ``path`` is still this socket (not one bound there since, nor
    /// anything put in its place).
    var isStillThere: Bool {
        UnixSocketFile(boundAt: path) == self
    }

    /// Removes the file if it is still this socket's.
    func remove() {
        if isStillThere { unlink(path) }
    }

    /// Takes `address`'s lock (`path.lock`) and makes its path free for `bind`: nothing there,
    /// or a stale socket file, which is removed.
    /// - Returns: the lock's descriptor, to close when the listener closes (which releases it).
    /// - Throws: ``TransportError`` `.addressInUse` when another listener of this library holds
    ///   the lock, a process listens there, or the path is another kind of file; `.system` when
    ///   the lock or the path cannot be used (a missing directory, permissions).
    static func claim(_ address: SocketAddress) throws(TransportError) -> Int32 {
        let lock = try takeLock(for: address)
        do throws(TransportError) {
            try clear(address)
        } catch {
            close(lock)
            throw error
        }
        return lock
    }

    /// Opens `path.lock` and locks it without waiting.
    private static func takeLock(for address: SocketAddress) throws(TransportError) -> Int32 {
        let lockPath = address.host + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .system("open", Errno.current, endpoint: lockPath) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = Errno.current
            close(descriptor)
            if error == .wouldBlock { throw TransportError(.addressInUse, endpoint: "\(address)") }
            throw .system("flock", error, endpoint: lockPath)
        }
        return descriptor
    }

    /// Removes a stale socket file at `address`'s path (a connect to it is refused).
    private static func clear(_ address: SocketAddress) throws(TransportError) {
        let path = address.host
        guard let status = status(path) else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw TransportError(.addressInUse, endpoint: "\(address) (not a socket)")
        }
        let probe = try Syscall.socket(.unix)
        defer { close(probe) }
        do {
            _ = try Syscall.connect(probe, to: address)
        } catch where error.kind == .connectionRefused {
            if unlink(path) != 0, Errno.current != .noSuchFile { throw .system("unlink", Errno.current, endpoint: "\(address)") }
            return
        } catch where error.errno == .noSuchFile {
            return
        } catch where error.errno == .wouldBlock {
            // Its backlog is full: someone listens.
        }
        throw TransportError(.addressInUse, endpoint: "\(address)")
    }

    /// `lstat` of `path`; nil when nothing is there (or it cannot be examined, which `bind`
    /// then reports).
    private static func status(_ path: String) -> stat? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return status
    }
}
