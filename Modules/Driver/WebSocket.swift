public import WebSocketCore
public import WebSocketTransport
package import WebSocketHandshake
import Synchronization

/// A live WebSocket connection over a TCP channel, for either role.
///
/// The driver moves bytes between the transport and the sans-I/O ``WebSocketCore/Connection``
/// and turns the Core's events into async results; it makes no protocol decision itself. All
/// mutable state lives on one event loop thread: public methods hop onto the loop, channel
/// callbacks already run there. Two things are shared with other threads instead, so that an
/// application task off the loop pays no hop per message: received messages (``Inbox``) and
/// what an off-loop `send` needs to know (``sendGate``, ``unsentBytes``, ``bufferedBytes``,
/// ``channelKeepsUp``).
///
/// ```swift
/// let ws = try await WebSocket.connect(to: "ws://127.0.0.1:9001/chat")
/// try await ws.send(text: "Hello")
/// for try await message in ws.messages { print(message.text ?? "\(message.data.count) bytes") }
/// ```
public final class WebSocket: @unchecked Sendable {
    /// The loop that owns this connection's state.
    public let loop: EventLoop
    /// ``Configuration/writeHighWaterMark``, read for every message: ahead of the Core's state
    /// (hundreds of bytes), in the object's first cache line.
    let writeHighWaterMark: Int
    /// Received messages, between the loop and the application. Here rather than with the
    /// other shared state: `pump` loads it on entry (hoisted by the optimiser), so late in the
    /// object it cost a cache miss per message.
    let inbox: Inbox

    // Layout: Swift lays stored properties out in the order written. What every message
    // touches comes first (then the Core's state, whose own hot part leads it), so that it
    // spans few cache lines: with 100 connections on one thread, each message's first touch of
    // its connection misses the cache, and such loads were the hottest instructions of the
    // fan-in profile. The configuration and the `Atomic`s come late: the disassembly reaches
    // every property after them through a field offset loaded from a global first.
    //
    // Loop-confined state. The properties every message touches skip Swift's dynamic
    // exclusivity checks in release builds, as ``WebSocketTransport/Channel``'s do (the reason
    // and the measurement are there); debug builds, the tests and the sanitizer runs keep them.
    #if DEBUG
    var channel: Channel?
    /// The synchronous message handler of ``handleMessages(_:)``, while it runs.
    var messageHandler: (@Sendable (BorrowedMessage) throws -> Void)?
    var writeChunks: [[UInt8]] = []
    var flushScheduled = false
    /// A consumer off the loop to resume at the end of the round (see ``Inbox/deliver(_:)``).
    var pendingHandoff: Inbox.Handoff?
    /// The drain task's batch of off-loop sends (see ``Outbox/take(into:)``).
    var outboxBatch: [Outbox.Outgoing] = []
    /// Off-loop sends wait in the outbox for the final fragment of our fragmented message.
    var isOutboxHeld = false
    /// While `handleMessages` hands over the messages queued before it: newly decoded ones
    /// queue behind them.
    var isDrainingInbox = false
    /// While `readInPlace` runs: `sendNow` leaves the pump to it.
    var isReadingInPlace = false
    /// Whether a read came since the idle-memory timer was armed (see `noteRead`).
    var readSinceIdleCheck = false
    var isTransportClosed = false
    var idleMemoryTimer: Scheduled?
    /// The values last stored in ``sendGate``, ``bufferedBytes`` and ``channelKeepsUp`` (only
    /// the loop stores them).
    var publishedSendGate = false
    var publishedBufferedBytes = 0
    var publishedChannelKeepsUp = true
    var connection: Connection
    var finalCloseInfo: CloseInfo?
    #else
    @exclusivity(unchecked) var channel: Channel?
    /// The synchronous message handler of ``handleMessages(_:)``, while it runs.
    @exclusivity(unchecked) var messageHandler: (@Sendable (BorrowedMessage) throws -> Void)?
    @exclusivity(unchecked) var writeChunks: [[UInt8]] = []
    @exclusivity(unchecked) var flushScheduled = false
    /// A consumer off the loop to resume at the end of the round (see ``Inbox/deliver(_:)``).
    @exclusivity(unchecked) var pendingHandoff: Inbox.Handoff?
    /// The drain task's batch of off-loop sends (see ``Outbox/take(into:)``).
    @exclusivity(unchecked) var outboxBatch: [Outbox.Outgoing] = []
    /// Off-loop sends wait in the outbox for the final fragment of our fragmented message.
    @exclusivity(unchecked) var isOutboxHeld = false
    /// While `handleMessages` hands over the messages queued before it: newly decoded ones
    /// queue behind them.
    @exclusivity(unchecked) var isDrainingInbox = false
    /// While `readInPlace` runs: `sendNow` leaves the pump to it.
    @exclusivity(unchecked) var isReadingInPlace = false
    /// Whether a read came since the idle-memory timer was armed (see `noteRead`).
    @exclusivity(unchecked) var readSinceIdleCheck = false
    @exclusivity(unchecked) var isTransportClosed = false
    @exclusivity(unchecked) var idleMemoryTimer: Scheduled?
    /// The values last stored in ``sendGate``, ``bufferedBytes`` and ``channelKeepsUp`` (only
    /// the loop stores them).
    @exclusivity(unchecked) var publishedSendGate = false
    @exclusivity(unchecked) var publishedBufferedBytes = 0
    @exclusivity(unchecked) var publishedChannelKeepsUp = true
    @exclusivity(unchecked) var connection: Connection
    @exclusivity(unchecked) var finalCloseInfo: CloseInfo?
    #endif
    /// The options in force.
    public let configuration: Configuration
    var openWaiter: CheckedContinuation<OpenInfo, any Error>?
    var writableWaiters: [WritableWaiter] = []
    /// The length of ``writableWaiters`` at which ended waits are swept out.
    var writableWaitersSweep = 64
    var closeWaiters: [CheckedContinuation<CloseInfo, Never>] = []
    var openTimer: Scheduled?
    /// Set when the task waiting in `open` was cancelled (see `abandonOpen`).
    var isOpenCancelled = false
    var closeTimer: Scheduled?
    var pingTimer: Scheduled?
    var pongDeadline: Scheduled?
    /// Pings waiting for their pongs, oldest first (``pingRoundTrip(_:timeout:)``, keepalive).
    var pendingPings: [PendingPing] = []
    /// Pings sent with a payload of our choosing: the next one's number.
    var pingNumber: UInt64 = 0
    var transportError: TransportError?
    /// What the opening handshake settled: written once on the loop, before
    /// ``isOpenPublished`` is set; read through ``openInfo`` from any thread.
    private var openResult: OpenInfo?
    /// Set (releasing) once ``openResult`` is written, and read (acquiring) before it is read:
    /// ``openInfo`` is public and read on any thread, e.g. by the task that `connect` returned
    /// to, which a continuation resumed. The runtime orders that resume, but with atomics in
    /// uninstrumented code: ThreadSanitizer saw the loop's write and the task's read as a race
    /// (a fresh-clone CI run, sixteenth session), and a reader polling during the handshake
    /// would have raced in earnest.
    private let isOpenPublished = Atomic<Bool>(false)
    /// The `handleMessages` call waiting for the end of the messages.
    var handlerWaiter: CheckedContinuation<Void, any Error>?
    /// The `handleMessages` call whose handler is installed (see ``cancelHandler(_:)``).
    var handlerCall: HandlerCall?
    /// What the message handler threw, reported by `handleMessages` once the connection closed.
    var handlerError: (any Error)?

    // Hooks for the server module (loop-confined).
    /// Called with each upgrade request; must answer with `acceptUpgrade` or `rejectUpgrade`.
    package var onUpgradeRequest: ((WebSocket, ServerHandshakeRequest) -> Void)?
    /// Called with each plain HTTP request (the Core's `deliversPlainHTTPRequests`); must
    /// answer with `respondToPlainRequest` or `rejectUpgrade`.
    package var onPlainHTTPRequest: ((WebSocket, PlainHTTPRequest) -> Void)?
    /// The task deciding on the upgrade request when the server's hook is async; cancelled
    /// if the connection ends first (open timeout, shutdown).
    package var pendingDecision: Task<Void, Never>?
    /// Called once the connection is open.
    package var onOpen: ((WebSocket) -> Void)?
    /// Called once the transport is closed.
    package var onFinish: ((WebSocket) -> Void)?

    // Shared state (see the type's documentation); ``inbox`` is declared at the top.
    /// Whether the Core takes a whole message now (open, no close sent, no fragmented message
    /// under way): published by the loop after each step, read by off-loop senders.
    let sendGate = Atomic<Bool>(false)
    /// Payload bytes of off-loop sends on their way to the loop.
    let unsentBytes = Atomic<Int>(0)
    /// The off-loop sends themselves.
    let outbox = Outbox()
    /// The loop's ``pendingWriteBytes`` as of its last step.
    let bufferedBytes = Atomic<Int>(0)
    /// Whether the channel queued nothing as of the loop's last step (the socket took all it
    /// was given): an off-loop `send` may then go past the mark up to the round batch, as one
    /// on the loop may (``startSend(_:allowsCompression:)``).
    let channelKeepsUp = Atomic<Bool>(true)
    /// The last round trip measured by a ping (``latency``), in nanoseconds; -1 for none yet.
    let latencyNanoseconds = Atomic<Int64>(-1)
    /// When the opening handshake completed, in nanoseconds after ``clockReference``.
    private let openedNanoseconds = Atomic<Int64>(-1)
    /// When the transport closed, in nanoseconds after ``clockReference``; -1 while open.
    let transportClosedNanoseconds = Atomic<Int64>(-1)
    /// The origin of the two stamps above.
    static let clockReference = ContinuousClock.now

    /// Now, in nanoseconds after ``clockReference``.
    static func nanosecondsSinceReference() -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - clockReference).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// When the opening handshake completed (stamped on the loop); nil before. Any thread.
    package var openedAt: ContinuousClock.Instant? {
        guard isOpenPublished.load(ordering: .acquiring) else { return nil }
        return Self.clockReference + .nanoseconds(openedNanoseconds.load(ordering: .relaxed))
    }

    /// When the transport closed (stamped on the loop); nil while it is open or opening. Any
    /// thread.
    package var transportClosedAt: ContinuousClock.Instant? {
        let nanoseconds = transportClosedNanoseconds.load(ordering: .acquiring)
        return nanoseconds < 0 ? nil : Self.clockReference + .nanoseconds(nanoseconds)
    }

    /// The most messages decoded ahead of a consumer on the loop (or of one that has not asked
    /// for a message yet): a consumer off the loop extends it to
    /// ``Configuration/maxQueuedMessages`` with its first request. On the loop a request costs
    /// no thread wake-up, and a short read-ahead lets the consumer answer while more arrives:
    /// with 256, our client on its loop against our TLS server ran at 0.7 of its rate with 16
    /// (1 KiB, 64 in flight), answering in bursts that left each peer waiting for the other.
    static let onLoopReadAhead = 16

    /// Creates a driver for `connection` on `loop`; the channel is attached later.
    package init(connection: Connection, configuration: Configuration, loop: EventLoop) {
        self.connection = connection
        self.configuration = configuration
        // A negative mark would count every write as over it and hold back even the opening
        // handshake's response: it means "no buffering", as 0 does.
        self.writeHighWaterMark = max(0, configuration.writeHighWaterMark)
        self.loop = loop
        let maxQueuedMessages = max(1, configuration.maxQueuedMessages)
        let readAhead = min(maxQueuedMessages, Self.onLoopReadAhead)
        let maxQueuedBytes = max(1, configuration.maxQueuedBytes)
        self.inbox = Inbox(readAhead: readAhead, offLoopReadAhead: maxQueuedMessages, maxQueuedBytes: maxQueuedBytes)
        // The inbox's starting read-ahead, as `cancelHandler` grants it again.
        self.connection.grantMessageCredit(inbox.readAhead.messages, bytes: inbox.readAhead.bytes)
        self.connection.keepsMemoryBetweenReads = true  // released by `noteRead`'s timer
    }

    /// The subprotocol agreed in the opening handshake, if any.
    public var subprotocol: String? { openInfo?.subprotocol }

    /// What the opening handshake settled (subprotocol, extensions, the peer's headers); nil
    /// until the connection is open. Safe to read on any thread.
    public var openInfo: OpenInfo? { isOpenPublished.load(ordering: .acquiring) ? openResult : nil }

    /// Records what the opening handshake settled and publishes it to ``openInfo``'s readers.
    /// Loop thread, once.
    func publishOpenInfo(_ info: OpenInfo) {
        openResult = info
        openedNanoseconds.store(Self.nanosecondsSinceReference(), ordering: .relaxed)
        isOpenPublished.store(true, ordering: .releasing)
    }

    /// Runs `body` on the loop and returns its result: directly when the caller already runs on
    /// the loop (a task with the loop as its executor preference), else with one hop.
    /// - Throws: `body`'s error, or ``TransportError/Kind/eventLoopShutdown`` when the loop has
    ///   stopped (it takes no task, and the caller would wait forever).
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (WebSocket) throws -> T) async throws -> T {
        if loop.inEventLoop { return try body(self) }
        return try await withCheckedThrowingContinuation { continuation in
            submit({ [self] in continuation.resume(with: Result { try body(self) }) }) {
                continuation.resume(throwing: Self.loopShutdownError)
            }
        }
    }

    /// Queues `task` on the loop, or runs `ifStopped` at once when the loop has stopped and
    /// would never run it, so that no caller waits for a task that is dropped. What the loop
    /// did before it stopped (the connection's end: ``finalCloseInfo``) is visible to
    /// `ifStopped`: the loop's lock orders the loop's last writes before the refusal.
    func submit(_ task: @escaping @Sendable () -> Void, orIfStopped ifStopped: () -> Void) {
        if !loop.tryExecute(task) { ifStopped() }
    }

    /// What a call that needs the loop reports once the loop has stopped.
    static var loopShutdownError: WebSocketError {
        WebSocketError(.transport(TransportError(.eventLoopShutdown)))
    }
}
