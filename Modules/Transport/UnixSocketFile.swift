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
struct UnixSocketFile: Sendable, Equatable {
    /// The socket's path.
    let path: String
    /// The file's device and inode once bound: what ``remove()`` checks before it unlinks.
    private let device: UInt64
    private let inode: UInt64

    /// Makes `address`'s path free for `bind`: nothing there, or a stale socket file (a
    /// connect to it is refused), which is removed.
    /// - Throws: ``TransportError`` `.addressInUse` when a process listens there or the path
    ///   is another kind of file; `.system` when the path cannot be examined.
    static func clear(_ address: SocketAddress) throws(TransportError) {
        let path = address.host
        guard let mode = fileMode(path) else { return }
        guard mode & S_IFMT == S_IFSOCK else {
            throw TransportError(.addressInUse, endpoint: "\(address) (not a socket)")
        }
        let probe = try Syscall.socket(.unix)
        defer { close(probe) }
        do {
            _ = try Syscall.connect(probe, to: address)
        } catch where error.kind == .connectionRefused {
            // Stale: nobody listens. Removing it races only with another process doing the same.
            if unlink(path) != 0, Errno.current != .noSuchFile { throw .system("unlink", Errno.current, endpoint: "\(address)") }
            return
        } catch where error.errno == .noSuchFile {
            return
        }
        // Connected, or its backlog is full (EAGAIN): someone listens.
        throw TransportError(.addressInUse, endpoint: "\(address)")
    }

    /// The socket file now at `path`, just bound; nil when it cannot be examined.
    init?(boundAt path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.path = path
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// Removes the file if it is still this socket's: not one another server bound at the path
    /// after this one's was replaced.
    func remove() {
        guard let current = UnixSocketFile(boundAt: path), current == self else { return }
        unlink(path)
    }

    /// `lstat`'s mode of `path`; nil when nothing is there (or it cannot be examined, which
    /// `bind` then reports).
    private static func fileMode(_ path: String) -> mode_t? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return status.st_mode
    }
}
