#if os(Linux) && canImport(Glibc)
import Glibc

// epoll and eventfd, through the funnel.
extension Syscall {
    private static var missing: Errno { Errno(rawValue: ENOSYS) }

    /// `epoll_create1(EPOLL_CLOEXEC)`.
    static func epollCreate() throws(TransportError) -> Int32 {
        guard let create = LinuxSymbols.epollCreate1 else { throw .system("epoll_create1", missing) }
        return try call("epoll_create1") { create(O_CLOEXEC) }
    }

    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`.
    static func eventFD() throws(TransportError) -> Int32 {
        guard let make = LinuxSymbols.eventFD else { throw .system("eventfd", missing) }
        return try call("eventfd") { make(0, O_CLOEXEC | O_NONBLOCK) }
    }

    /// `epoll_ctl(operation)` with `events` and the 64-bit registration `data`.
    static func epollControl(
        _ epoll: Int32, _ operation: Int32, _ descriptor: Int32, events: UInt32, data: UInt64
    ) throws(TransportError) {
        guard let control = LinuxSymbols.epollControl else { throw .system("epoll_ctl", missing) }
        var event = (UInt64(0), UInt64(0))  // 16 bytes: room for either layout
        withUnsafeMutableBytes(of: &event) { bytes in
            bytes.storeBytes(of: events, as: UInt32.self)
            bytes.storeBytes(of: data, toByteOffset: LinuxSymbols.eventDataOffset, as: UInt64.self)
        }
        _ = try call("epoll_ctl") {
            withUnsafeMutableBytes(of: &event) { control(epoll, operation, descriptor, $0.baseAddress) }
        }
    }

    /// `epoll_wait` into `buffer` (room for `buffer.count / eventStride` events). An `EINTR`
    /// returns 0 events so the caller recomputes its timeout.
    static func epollWait(
        _ epoll: Int32, into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32
    ) throws(TransportError) -> Int {
        guard let wait = LinuxSymbols.epollWait else { throw .system("epoll_wait", missing) }
        let capacity = Int32(buffer.count / LinuxSymbols.eventStride)
        let count = wait(epoll, buffer.baseAddress, capacity, timeoutMilliseconds)
        if count >= 0 { return Int(count) }
        let error = Errno.current
        if error == .interrupted { return 0 }
        throw .system("epoll_wait", error)
    }

    /// `accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)`, or nil when the C library lacks `accept4`.
    static func accept4(
        _ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>
    ) -> Int32? {
        guard let accept = LinuxSymbols.accept4 else { return nil }
        return accept(descriptor, address, length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
    }
}
#endif
