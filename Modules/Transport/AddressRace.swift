/// The order and pacing of a connect's attempts over a host's addresses: RFC 8305's "Happy
/// Eyeballs", so that an address that swallows its SYNs (a broken IPv6 route, a dead replica)
/// delays a connect by a fraction of a second instead of failing it at its timeout.
///
/// ``ConnectAttempt`` starts the first address's connect, then the next whenever the attempt
/// delay passes without a connection or an attempt fails, never within
/// ``minimumAttemptDelay`` of the previous start; the first to connect wins and the others are
/// closed (RFC 8305 §5).
struct AddressRace {
    /// RFC 8305 §5's recommended Connection Attempt Delay: 250 ms.
    static let defaultAttemptDelay: Duration = .milliseconds(250)

    /// The least delay between two attempts. RFC 8305 §5: "a subsequent connection MUST NOT be
    /// started within 10 milliseconds of the previous attempt".
    static let minimumAttemptDelay: Duration = .milliseconds(10)

    /// The addresses in the order they are tried.
    let addresses: [SocketAddress]

    /// How long an attempt has before the next starts beside it, in nanoseconds.
    let attemptDelayNanoseconds: UInt64

    /// The index in ``addresses`` of the next address to try.
    private(set) var next = 0

    /// When the last attempt that went out started (its SYN sent), on the loop's monotonic
    /// clock; nil before the first.
    private var lastStart: UInt64?

    /// The race over `addresses` (the resolver's order), `attemptDelay` apart (raised to
    /// ``minimumAttemptDelay``).
    init(addresses: [SocketAddress], attemptDelay: Duration) {
        self.addresses = Self.interleaved(addresses)
        let delay = max(attemptDelay, Self.minimumAttemptDelay)
        attemptDelayNanoseconds = EventLoop.nanoseconds(delay)
    }

    /// Whether an address is left to try.
    var hasNext: Bool { next < addresses.count }

    /// The next address to try, if one is left.
    mutating func takeNext() -> SocketAddress? {
        guard hasNext else { return nil }
        defer { next += 1 }
        return addresses[next]
    }

    /// Notes that an attempt went out at `now` (its `connect` is in progress).
    mutating func noteStart(at now: UInt64) {
        lastStart = now
    }

    /// How long the next attempt must wait from `now` to start no sooner than
    /// ``minimumAttemptDelay`` after the last: 0 when it may start now. This holds for an
    /// attempt that follows a failure as well as for one started by the timer.
    func nanosecondsBeforeNextStart(at now: UInt64) -> UInt64 {
        guard let lastStart else { return 0 }
        let earliest = lastStart &+ EventLoop.nanoseconds(Self.minimumAttemptDelay)
        return earliest > now ? earliest - now : 0
    }

    /// `addresses` with the families alternating, starting with the family of the first:
    /// RFC 8305 §4, "if the first address in the sorted list is IPv6, then the first IPv4
    /// address should be moved up in the list to be second in the list" (a First Address
    /// Family Count of 1). Within each family the resolver's order (RFC 6724's sort) stays.
    static func interleaved(_ addresses: [SocketAddress]) -> [SocketAddress] {
        guard let first = addresses.first else { return [] }
        let preferred = addresses.filter { $0.family == first.family }
        let other = addresses.filter { $0.family != first.family }
        var result: [SocketAddress] = []
        result.reserveCapacity(addresses.count)
        for index in 0..<max(preferred.count, other.count) {
            if index < preferred.count { result.append(preferred[index]) }
            if index < other.count { result.append(other[index]) }
        }
        return result
    }
}

/// One TCP connect of a race in flight: its socket, until it wins or is dropped. Loop thread only.
final class PendingConnect {
    /// The address it connects to.
    let address: SocketAddress
    /// The socket; taken by the winner, closed with this object otherwise.
    var socket: Socket?
    /// The socket's descriptor.
    let descriptor: Int32
    /// Its registration with the loop, 0 before it has one.
    var registrationID: UInt64 = 0

    init(socket: consuming Socket, address: SocketAddress) {
        self.address = address
        descriptor = socket.descriptor
        self.socket = consume socket
    }
}
