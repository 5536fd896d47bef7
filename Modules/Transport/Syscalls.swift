#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The outcome of a non-blocking I/O call that did not fail: it moved `n` units, or it would block.
enum IOResult<Value> {
    /// The call completed with this value.
    case processed(Value)
    /// The call would block (`EAGAIN`); wait for readiness.
    case wouldBlock
}

/// The one funnel for every libc call of this module (DESIGN.md §5; swift-system's
/// `valueOrErrno` / `nothingOrErrno`).
///
/// Each wrapper retries on `EINTR`, turns `-1` + `errno` into a ``TransportError`` naming the call,
/// and, for non-blocking I/O, reports `EAGAIN` as ``IOResult/wouldBlock`` instead of an error.
/// Pointers handed to libc never outlive the wrapper.
enum Syscall {
    /// Runs `body` until it returns something other than `-1` with `errno == EINTR`.
    /// - Returns: the result, or the `errno` of the failure.
    @inline(__always)
    static func retrying<Value: BinaryInteger>(_ body: () -> Value) -> Result<Value, Errno> {
        while true {
            let result = body()
            if result != -1 { return .success(result) }
            let error = Errno.current
            if error != .interrupted { return .failure(error) }
        }
    }

    /// Runs `body` (retrying on `EINTR`) and throws a ``TransportError`` naming `call` on failure.
    @inline(__always)
    static func call<Value: BinaryInteger>(
        _ call: String, _ body: () -> Value
    ) throws(TransportError) -> Value {
        switch retrying(body) {
        case .success(let value): return value
        case .failure(let error): throw .system(call, error)
        }
    }

    /// Like ``call(_:_:)`` but maps `EAGAIN`/`EWOULDBLOCK` to ``IOResult/wouldBlock``.
    @inline(__always)
    static func io<Value: BinaryInteger>(
        _ call: String, _ body: () -> Value
    ) throws(TransportError) -> IOResult<Value> {
        switch retrying(body) {
        case .success(let value): return .processed(value)
        case .failure(let error) where error == .wouldBlock || error.rawValue == EWOULDBLOCK:
            return .wouldBlock
        case .failure(let error): throw .system(call, error)
        }
    }

    // MARK: Descriptors

    /// `close(2)`. Never retried: on Linux the descriptor is released even when `EINTR` is reported.
    static func close(_ descriptor: Int32) {
        #if canImport(Darwin)
        _ = Darwin.close(descriptor)
        #elseif canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Musl.close(descriptor)
        #endif
    }

    /// `read(2)` into `buffer`.
    static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer
    ) throws(TransportError) -> IOResult<Int> {
        try io("read") {
            #if canImport(Darwin)
            Darwin.read(descriptor, buffer.baseAddress, buffer.count)
            #elseif canImport(Glibc)
            Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            #else
            Musl.read(descriptor, buffer.baseAddress, buffer.count)
            #endif
        }
    }

    /// `write(2)` of `buffer` (used for the event loop's wake-up descriptor only).
    static func write(
        _ descriptor: Int32, _ buffer: UnsafeRawBufferPointer
    ) throws(TransportError) -> IOResult<Int> {
        try io("write") {
            #if canImport(Darwin)
            Darwin.write(descriptor, buffer.baseAddress, buffer.count)
            #elseif canImport(Glibc)
            Glibc.write(descriptor, buffer.baseAddress, buffer.count)
            #else
            Musl.write(descriptor, buffer.baseAddress, buffer.count)
            #endif
        }
    }

    /// `fcntl(F_SETFL, O_NONBLOCK)` and `fcntl(F_SETFD, FD_CLOEXEC)`, for platforms whose
    /// `socket`/`accept` cannot set them atomically.
    static func setNonBlockingAndCloseOnExec(_ descriptor: Int32) throws(TransportError) {
        let flags = try call("fcntl") { fcntl(descriptor, F_GETFL) }
        _ = try call("fcntl") { fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
        _ = try call("fcntl") { fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    }

    // MARK: Clock

    /// The monotonic clock, in nanoseconds (`clock_gettime(CLOCK_MONOTONIC)`).
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
