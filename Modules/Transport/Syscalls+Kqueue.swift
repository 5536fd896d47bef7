#if canImport(Darwin)
import Darwin

// kqueue, through the funnel. Written for Darwin; compiled and exercised only there.
extension Syscall {
    /// `kqueue()`, close-on-exec.
    static func kqueue() throws(TransportError) -> Int32 {
        let queue = try call("kqueue") { Darwin.kqueue() }
        _ = try call("fcntl") { fcntl(queue, F_SETFD, FD_CLOEXEC) }
        return queue
    }

    /// Applies `changes` to `queue` without collecting events.
    static func kqueueApply(_ queue: Int32, _ changes: [kevent]) throws(TransportError) {
        guard !changes.isEmpty else { return }
        _ = try call("kevent") {
            changes.withUnsafeBufferPointer { list in
                Darwin.kevent(queue, list.baseAddress, Int32(list.count), nil, 0, nil)
            }
        }
    }

    /// Waits for events into `buffer`; `EINTR` returns 0 events.
    static func kqueueWait(
        _ queue: Int32, into buffer: UnsafeMutableBufferPointer<kevent>, timeoutNanoseconds: UInt64?
    ) throws(TransportError) -> Int {
        var count: Int32
        if let timeoutNanoseconds {
            var timeout = timespec(
                tv_sec: Int(timeoutNanoseconds / 1_000_000_000), tv_nsec: Int(timeoutNanoseconds % 1_000_000_000)
            )
            count = Darwin.kevent(queue, nil, 0, buffer.baseAddress, Int32(buffer.count), &timeout)
        } else {
            count = Darwin.kevent(queue, nil, 0, buffer.baseAddress, Int32(buffer.count), nil)
        }
        if count >= 0 { return Int(count) }
        let error = Errno.current
        if error == .interrupted { return 0 }
        throw .system("kevent", error)
    }

    /// One kqueue change record.
    static func change(
        _ descriptor: Int32, filter: Int32, flags: Int32, id: UInt64, fflags: UInt32 = 0
    ) -> kevent {
        kevent(
            ident: UInt(bitPattern: Int(descriptor)), filter: Int16(filter), flags: UInt16(flags),
            fflags: fflags, data: 0, udata: UnsafeMutableRawPointer(bitPattern: UInt(id))
        )
    }
}
#endif
