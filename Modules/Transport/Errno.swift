#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A POSIX error number, as left in `errno` by a failed system call (swift-system's `Errno`).
///
/// Only the values the transport reacts to have names; every other value is still carried and
/// printed through `strerror`.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errno` value.
    public let rawValue: Int32

    /// Wraps a raw `errno` value.
    /// - Parameter rawValue: the value, e.g. `ECONNREFUSED`.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The system's message for this error (`strerror`), e.g. "Connection refused".
    public var description: String {
        guard let message = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: message)
    }

    /// The calling thread's current `errno`.
    static var current: Errno { Errno(rawValue: errno) }

    /// `EINTR`: a signal interrupted the call; the funnel retries it.
    public static let interrupted = Errno(rawValue: EINTR)
    /// `EAGAIN` / `EWOULDBLOCK`: a non-blocking call would block.
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// `EINPROGRESS`: a non-blocking connect has started.
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    /// `ECONNREFUSED`: nobody listens at the address.
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    /// `ECONNRESET`: the peer reset the connection.
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    /// `ECONNABORTED`: a pending connection was aborted before `accept`.
    public static let connectionAborted = Errno(rawValue: ECONNABORTED)
    /// `EPIPE`: writing to a connection the peer has closed.
    public static let brokenPipe = Errno(rawValue: EPIPE)
    /// `ETIMEDOUT`: the kernel gave up on the connection.
    public static let timedOut = Errno(rawValue: ETIMEDOUT)
    /// `EADDRINUSE`: the address is already bound.
    public static let addressInUse = Errno(rawValue: EADDRINUSE)
    /// `EMFILE`: the process is out of file descriptors.
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// `ENFILE`: the system is out of file descriptors.
    public static let fileTableOverflow = Errno(rawValue: ENFILE)
    /// `ENOBUFS`: no buffer space.
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    /// `ENOMEM`: out of kernel memory.
    public static let outOfMemory = Errno(rawValue: ENOMEM)
    /// `EBADF`: not an open descriptor.
    public static let badDescriptor = Errno(rawValue: EBADF)
    /// `ENOENT`: no such file (a Unix socket's path).
    public static let noSuchFile = Errno(rawValue: ENOENT)

    /// `accept` errors that end one pending connection and not the listener (see
    /// `Listener.reaction(to:)`).
    static let acceptErrorsOfOneConnection: Set<Int32> = {
        var errors: Set<Int32> = [
            ECONNABORTED, EPROTO, ENOPROTOOPT, EHOSTDOWN, EHOSTUNREACH, EOPNOTSUPP, ENETDOWN, ENETUNREACH, EPERM,
        ]
        #if os(Linux)
        errors.insert(ENONET)
        #endif
        return errors
    }()
}
