#if canImport(Darwin)
import Darwin

/// ``Poller`` over BSD kqueue: one read and one write filter per descriptor, and an
/// `EVFILT_USER` event for wake-ups. Written for Darwin; compiled and exercised only there.
struct KqueuePoller: Poller, ~Copyable {
    private static let maxEvents = 256
    private static let wakeupID: UInt64 = 0

    private let queue: Int32
    private let events: UnsafeMutableBufferPointer<kevent>
    let startupError: TransportError?

    init() {
        events = .allocate(capacity: Self.maxEvents)
        var opened: Int32 = -1
        do {
            opened = try Syscall.kqueue()
            let user = Syscall.change(0, filter: EVFILT_USER, flags: EV_ADD | EV_CLEAR, id: Self.wakeupID)
            try Syscall.kqueueApply(opened, [user])
            startupError = nil
        } catch {
            startupError = error
        }
        queue = opened
    }

    deinit {
        if queue >= 0 { Syscall.close(queue) }
        events.deallocate()
    }

    func register(_ descriptor: Int32, id: UInt64, interest: Interest) throws(TransportError) {
        try modify(descriptor, id: id, from: [], to: interest)
    }

    func modify(_ descriptor: Int32, id: UInt64, from old: Interest, to new: Interest) throws(TransportError) {
        var changes: [kevent] = []
        for (flag, filter) in [(Interest.read, EVFILT_READ), (Interest.write, EVFILT_WRITE)] {
            if new.contains(flag) && !old.contains(flag) {
                changes.append(Syscall.change(descriptor, filter: filter, flags: EV_ADD, id: id))
            } else if old.contains(flag) && !new.contains(flag) {
                changes.append(Syscall.change(descriptor, filter: filter, flags: EV_DELETE, id: id))
            }
        }
        try Syscall.kqueueApply(queue, changes)
    }

    func unregister(_ descriptor: Int32, interest: Interest) {
        try? modify(descriptor, id: 0, from: interest, to: [])
    }

    func poll(timeoutNanoseconds: UInt64?, _ handle: (PollEvent) -> Void) throws(TransportError) {
        if let startupError { throw startupError }
        let count = try Syscall.kqueueWait(queue, into: events, timeoutNanoseconds: timeoutNanoseconds)
        for index in 0..<count {
            let event = events[index]
            let id = UInt64(UInt(bitPattern: event.udata))
            if Int32(event.filter) == EVFILT_USER { continue }
            var report = PollEvent(id: id)
            // EV_EOF on the read filter is the peer's FIN: `read` returns 0 and the channel sees EOF.
            report.readable = Int32(event.filter) == EVFILT_READ
            report.writable = Int32(event.filter) == EVFILT_WRITE
            report.error = Int32(event.flags) & EV_ERROR != 0
            handle(report)
        }
    }

    func wakeup() {
        let trigger = Syscall.change(0, filter: EVFILT_USER, flags: 0, id: Self.wakeupID, fflags: UInt32(NOTE_TRIGGER))
        try? Syscall.kqueueApply(queue, [trigger])
    }
}
#endif
