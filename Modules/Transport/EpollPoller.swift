#if os(Linux) && canImport(Glibc)
import Glibc

/// ``Poller`` over Linux epoll, level-triggered, with an eventfd for wake-ups.
struct EpollPoller: Poller, ~Copyable {
    private static let maxEvents = 256
    /// The eventfd's registration identifier; ``EventLoop`` never hands out 0.
    private static let wakeupID: UInt64 = 0

    private let epoll: Int32
    private let wakeupDescriptor: Int32
    private let events: UnsafeMutableRawBufferPointer
    let startupError: TransportError?

    init() {
        events = .allocate(byteCount: Self.maxEvents * LinuxSymbols.eventStride, alignment: 8)
        var opened: (Int32, Int32) = (-1, -1)
        do {
            opened.0 = try Syscall.epollCreate()
            opened.1 = try Syscall.eventFD()
            try Syscall.epollControl(
                opened.0, LinuxSymbols.controlAdd, opened.1, events: LinuxSymbols.epollIn, data: Self.wakeupID
            )
            startupError = nil
        } catch {
            startupError = error
        }
        (epoll, wakeupDescriptor) = opened
    }

    deinit {
        if wakeupDescriptor >= 0 { Syscall.close(wakeupDescriptor) }
        if epoll >= 0 { Syscall.close(epoll) }
        events.deallocate()
    }

    func register(_ descriptor: Int32, id: UInt64, interest: Interest) throws(TransportError) {
        try Syscall.epollControl(epoll, LinuxSymbols.controlAdd, descriptor, events: mask(interest), data: id)
    }

    func modify(_ descriptor: Int32, id: UInt64, from old: Interest, to new: Interest) throws(TransportError) {
        try Syscall.epollControl(epoll, LinuxSymbols.controlModify, descriptor, events: mask(new), data: id)
    }

    func unregister(_ descriptor: Int32, interest: Interest) {
        try? Syscall.epollControl(epoll, LinuxSymbols.controlDelete, descriptor, events: 0, data: 0)
    }

    func poll(timeoutNanoseconds: UInt64?, _ handle: (PollEvent) -> Void) throws(TransportError) {
        if let startupError { throw startupError }
        let count = try Syscall.epollWait(epoll, into: events, timeoutMilliseconds: Self.milliseconds(timeoutNanoseconds))
        for index in 0..<count {
            let offset = index * LinuxSymbols.eventStride
            let flags = events.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            let id = events.loadUnaligned(fromByteOffset: offset + LinuxSymbols.eventDataOffset, as: UInt64.self)
            if id == Self.wakeupID {
                drainWakeup()
                continue
            }
            handle(PollEvent(
                id: id,
                readable: flags & LinuxSymbols.epollIn != 0,
                writable: flags & LinuxSymbols.epollOut != 0,
                hangup: flags & LinuxSymbols.epollHangup != 0,
                error: flags & LinuxSymbols.epollError != 0
            ))
        }
    }

    func wakeup() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { try? Syscall.write(wakeupDescriptor, $0) }
    }

    private func drainWakeup() {
        var counter: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &counter) { try? Syscall.read(wakeupDescriptor, into: $0) }
    }

    private func mask(_ interest: Interest) -> UInt32 {
        (interest.contains(.read) ? LinuxSymbols.epollIn : 0) | (interest.contains(.write) ? LinuxSymbols.epollOut : 0)
    }

    /// epoll's timeout in whole milliseconds, rounded up so a timer is never woken early.
    private static func milliseconds(_ nanoseconds: UInt64?) -> Int32 {
        guard let nanoseconds else { return -1 }
        let rounded = nanoseconds / 1_000_000 + (nanoseconds % 1_000_000 == 0 ? 0 : 1)
        return Int32(clamping: rounded)
    }
}
#endif
