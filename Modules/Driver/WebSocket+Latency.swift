import Synchronization
import WebSocketCore
import WebSocketTransport

/// A ping waiting for its pong. Loop-confined.
struct PendingPing {
    let payload: [UInt8]
    let sentAt: ContinuousClock.Instant
    /// The task waiting in ``WebSocket/pingRoundTrip(_:timeout:)``; nil for a keepalive ping.
    var waiter: UnsafeContinuation<Duration, any Error>?
    /// Identifies the waiting call for its cancellation.
    var token: PingToken?
    /// The timer of a round trip with a timeout; cancelled when the ping is answered or fails.
    var deadline: Scheduled?
}

/// One ``WebSocket/pingRoundTrip(_:timeout:)`` call: its cancellation may come before the loop sent
/// its ping, so it is recorded here, where the loop looks first.
final class PingToken: Sendable {
    let isCancelled = Atomic<Bool>(false)
}

extension WebSocket {
    /// The round trip of the last ping that was answered: ``pingRoundTrip(_:timeout:)``'s and the
    /// keepalive's (``Configuration/pingInterval``). Nil before the first pong that answers a
    /// ping. Any thread.
    public var latency: Duration? {
        let nanoseconds = latencyNanoseconds.load(ordering: .relaxed)
        return nanoseconds < 0 ? nil : .nanoseconds(nanoseconds)
    }

    /// Sends a ping and waits for the pong that answers it; returns the round trip.
    ///
    /// RFC 6455 §5.5.3: "A Pong frame sent in response to a Ping frame must have identical
    /// 'Application data' as found in the message body of the Ping frame being replied to", and
    /// "If an endpoint receives a Ping frame and has not yet sent Pong frame(s) in response to
    /// previous Ping frame(s), the endpoint MAY elect to send a Pong frame for only the most
    /// recently processed Ping frame": so a pong answers the ping with its payload and every
    /// ping sent before that one (`ping(_:)`'s included).
    ///
    /// The wait ends with the pong, the timeout, the connection's end or the task's
    /// cancellation. A timeout leaves the connection open (a peer behind a slow link may still
    /// answer; its late pong is then ignored); with keepalive on, a peer that answers no ping
    /// fails the connection after ``Configuration/pingTimeout``.
    /// - Parameters:
    ///   - payload: at most 125 bytes; by default 8 bytes that no ping waiting for its pong
    ///     carries.
    ///   - timeout: how long to wait for the pong, from the ping's hand-over to the Core; nil
    ///     (the default) waits as long as the connection lasts.
    /// - Returns: the time from the ping's hand-over to the Core on the loop until the loop
    ///   decoded its pong (a pong behind unread messages waits with them).
    /// - Throws: ``WebSocketError`` when the connection is not open (`.closed` once it closed),
    ///   the payload is too long, a ping with the same payload still waits for its pong
    ///   (`invalidState`), the connection closes first, or no pong came within `timeout`
    ///   (`pongTimeout`); `CancellationError` when the task is cancelled.
    public func pingRoundTrip(_ payload: [UInt8]? = nil, timeout: Duration? = nil) async throws -> Duration {
        let token = PingToken()
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                submit({ [self] in startPing(payload, timeout, continuation, token) }) {
                    continuation.resume(throwing: Self.loopShutdownError)
                }
            }
        } onCancel: {
            token.isCancelled.store(true, ordering: .releasing)
            loop.execute { [self] in endPing(token, CancellationError()) }
        }
    }

    /// Loop: sends the ping of a ``pingRoundTrip(_:timeout:)`` call and keeps its waiter.
    private func startPing(
        _ payload: [UInt8]?, _ timeout: Duration?, _ waiter: UnsafeContinuation<Duration, any Error>, _ token: PingToken
    ) {
        guard !token.isCancelled.load(ordering: .acquiring) else { return waiter.resume(throwing: CancellationError()) }
        // The transport may be gone while the Core, its input unread, still counts as open:
        // no pong can come then, and `finish` already failed the pings that waited.
        if isTransportClosed { return waiter.resume(throwing: WebSocketError(.closed(endingCloseInfo))) }
        let payload = payload ?? nextPingPayload()
        guard !pendingPings.contains(where: { $0.payload == payload }) else {
            return waiter.resume(throwing: WebSocketError(.connection(ConnectionError(.invalidState(
                "a ping with this payload is still waiting for its pong")))))
        }
        do {
            try perform { (c: inout Connection) throws(ConnectionError) in try c.ping(payload) }
        } catch {
            return waiter.resume(throwing: error)
        }
        let deadline = timeout.map { timeout in
            loop.scheduleTask(in: timeout) { [self] in endPing(token, WebSocketError(.pongTimeout(timeout))) }
        }
        pendingPings.append(PendingPing(payload: payload, sentAt: .now, waiter: waiter, token: token, deadline: deadline))
    }

    /// Loop: a cancelled or timed-out call stops waiting and its ping is forgotten (a later
    /// pong still answers the pings sent before its own; its own pong answers nothing).
    private func endPing(_ token: PingToken, _ error: any Error) {
        guard let index = pendingPings.firstIndex(where: { $0.token === token }) else { return }
        let ping = pendingPings.remove(at: index)
        ping.deadline?.cancel()
        ping.waiter?.resume(throwing: error)
    }

    /// Loop: remembers a ping sent by ``ping(_:)``, without a waiter: its pong answers the
    /// round-trip pings sent before it.
    func notePlainPing(_ payload: [UInt8]) {
        guard !pendingPings.contains(where: { $0.payload == payload }) else { return }
        rememberUnansweredPing(PendingPing(payload: payload, sentAt: .now))
    }

    /// Loop: sends a keepalive ping, whose pong measures ``latency`` too.
    ///
    /// At most ``maxUnansweredKeepalivePings`` pings nobody waits for are remembered: any pong keeps the
    /// connection alive (RFC 6455 §5.5.3: an unsolicited Pong "serves as a unidirectional
    /// heartbeat"), so a peer that sends its own pongs and never answers ours must not make the
    /// list grow for as long as the connection lasts.
    func sendKeepalivePing() throws(ConnectionError) {
        let payload = nextPingPayload()
        try connection.ping(payload)
        rememberUnansweredPing(PendingPing(payload: payload, sentAt: .now))
    }

    /// Appends a ping nobody waits for (keepalive, ``ping(_:)``), forgetting the oldest such
    /// beyond ``maxUnansweredKeepalivePings``.
    private func rememberUnansweredPing(_ ping: PendingPing) {
        if pendingPings.count(where: { $0.waiter == nil }) >= Self.maxUnansweredKeepalivePings,
           let oldest = pendingPings.firstIndex(where: { $0.waiter == nil }) {
            pendingPings.remove(at: oldest)
        }
        pendingPings.append(ping)
    }

    /// How many pings nobody waits for (keepalive, ``ping(_:)``) are remembered for ``latency``.
    static let maxUnansweredKeepalivePings = 4

    /// Loop: a pong arrived; it answers the ping with its payload and every earlier one.
    /// An unsolicited pong (RFC 6455 §5.5.3: "A response to an unsolicited Pong frame is not
    /// expected") answers none.
    func pongArrived(_ payload: [UInt8]) {
        guard let index = pendingPings.firstIndex(where: { $0.payload == payload }) else { return }
        let now = ContinuousClock.now
        let answered = pendingPings[...index]
        pendingPings.removeFirst(index + 1)
        let (seconds, attoseconds) = (now - answered[index].sentAt).components
        latencyNanoseconds.store(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .relaxed)
        for ping in answered {
            ping.deadline?.cancel()
            ping.waiter?.resume(returning: now - ping.sentAt)
        }
    }

    /// Loop: the connection is gone; every ping still waiting fails with `error`.
    func failPendingPings(_ error: WebSocketError) {
        let waiting = pendingPings
        pendingPings.removeAll()
        for ping in waiting {
            ping.deadline?.cancel()
            ping.waiter?.resume(throwing: error)
        }
    }

    /// 8 bytes, the big-endian number of the ping, skipping any a waiting ping carries (an
    /// application's own 8-byte payload may).
    private func nextPingPayload() -> [UInt8] {
        while true {
            pingNumber += 1
            let payload = (0..<8).map { UInt8(truncatingIfNeeded: pingNumber >> (56 - 8 * $0)) }
            if !pendingPings.contains(where: { $0.payload == payload }) { return payload }
        }
    }
}
