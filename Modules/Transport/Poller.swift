/// The readiness a registration asks to hear about.
struct Interest: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    /// Readable (or EOF, or a pending connection on a listener).
    static let read = Interest(rawValue: 1)
    /// Writable (or a non-blocking connect that finished).
    static let write = Interest(rawValue: 2)
}

/// One readiness report for a registration.
struct PollEvent {
    /// The registration's identifier, as given to ``Poller/register(_:id:interest:)``.
    var id: UInt64
    /// Data, EOF, or a connection to accept is waiting.
    var readable = false
    /// The socket accepts writes (or its connect finished).
    var writable = false
    /// Both directions are shut (`EPOLLHUP`); no more writes are possible.
    var hangup = false
    /// An error is pending on the socket (`EPOLLERR`); read it with `SO_ERROR`.
    var error = false
}

/// The readiness mechanism of an ``EventLoop`` (epoll on Linux, kqueue on Darwin), behind one
/// small interface so the loop is written once.
///
/// Registrations are level-triggered and carry a 64-bit identifier rather than the descriptor,
/// so a stale event for a closed descriptor whose number was reused cannot reach the new owner.
/// Every method except ``wakeup()`` is called on the loop thread only.
protocol Poller: ~Copyable {
    /// Opens the poller and its wake-up source; on failure ``startupError`` says why.
    init()
    /// Why the poller could not be opened, if it could not.
    var startupError: TransportError? { get }
    /// Starts watching `descriptor`.
    func register(_ descriptor: Int32, id: UInt64, interest: Interest) throws(TransportError)
    /// Changes what `descriptor` is watched for.
    func modify(_ descriptor: Int32, id: UInt64, from old: Interest, to new: Interest) throws(TransportError)
    /// Stops watching `descriptor` (before it is closed).
    func unregister(_ descriptor: Int32, interest: Interest)
    /// Waits up to `timeoutNanoseconds` (nil: forever; 0: do not block) and calls `handle` for
    /// every ready registration. Wake-ups are consumed here and not reported.
    func poll(timeoutNanoseconds: UInt64?, _ handle: (PollEvent) -> Void) throws(TransportError)
    /// Makes a concurrent or later ``poll(timeoutNanoseconds:_:)`` return. Any thread.
    func wakeup()
}

#if canImport(Darwin)
/// The poller of this platform.
typealias SystemPoller = KqueuePoller
#else
/// The poller of this platform.
typealias SystemPoller = EpollPoller
#endif
