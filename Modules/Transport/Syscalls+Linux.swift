#if os(Linux) && canImport(Glibc)
import Glibc

/// The GNU/Linux entry points the `Glibc` module does not import (`epoll_*`, `eventfd`,
/// `accept4`, `pthread_setname_np` live behind `_GNU_SOURCE` or in headers outside its module
/// map). Each is looked up once with `dlsym` and called through a `@convention(c)` pointer, so the
/// calling convention is the C one; nil when the C library lacks it.
enum LinuxSymbols {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollControl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (
        Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
    ) -> Int32
    typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32

    static let epollCreate1 = lookup("epoll_create1", as: EpollCreate1.self)
    static let epollControl = lookup("epoll_ctl", as: EpollControl.self)
    static let epollWait = lookup("epoll_wait", as: EpollWait.self)
    static let eventFD = lookup("eventfd", as: EventFD.self)
    static let accept4 = lookup("accept4", as: Accept4.self)
    static let setThreadName = lookup("pthread_setname_np", as: SetThreadName.self)

    private static func lookup<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }

    // Linux ABI constants (<sys/epoll.h>, <sys/eventfd.h>).
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollError: UInt32 = 0x008
    static let epollHangup: UInt32 = 0x010
    static let controlAdd: Int32 = 1
    static let controlDelete: Int32 = 2
    static let controlModify: Int32 = 3

    /// `struct epoll_event` is packed on x86_64 only: `{ uint32_t events; uint64_t data; }`.
    #if arch(x86_64)
    static let eventStride = 12
    static let eventDataOffset = 4
    #else
    static let eventStride = 16
    static let eventDataOffset = 8
    #endif
}
#endif
