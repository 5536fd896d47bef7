import WebSocketExtensions
public import WebSocketFraming
public import WebSocketHandshake

/// The sans-I/O WebSocket connection, for either role (RFC 6455).
///
/// `Connection` takes bytes and commands and produces events and bytes to write. It never
/// touches a socket, a clock, a thread or global state, so the same value drives a POSIX
/// socket, SwiftNIO, or a test harness. The driving loop is:
///
/// ```swift
/// connection.receive(bytesFromSocket)            // or receiveEOF()
/// while let event = connection.nextEvent() { … } // messages, pings, closed
/// connection.takeOutput(into: &writeBuffer)      // write these bytes
/// if connection.shouldCloseTransport { … }       // close the socket once written
///                                                // (lingering: see lingersBeforeClosing)
/// if connection.isCloseExpected { … }            // arm the close timer
/// ```
///
/// Peer input never throws: a violation fails the connection with the close code of
/// ``ConnectionError/closeCode`` and reports ``Event/closed(_:)``. Commands throw only on
/// misuse.
public struct Connection: Sendable {
    /// Where the connection is in its lifetime (RFC 6455 §4, §7).
    public enum Phase: Hashable, Sendable {
        /// The opening handshake is in progress.
        case connecting
        /// Server role: a valid request waits for the application's answer: `accept` or
        /// `reject` for an upgrade request, `respond` or `reject` for a plain HTTP request
        /// (``Configuration/deliversPlainHTTPRequests``).
        case awaitingUpgradeDecision
        /// The WebSocket Connection is established (RFC 6455 §4.1: "_The WebSocket Connection
        /// is Established_").
        case open
        /// We sent a close frame and wait for the peer's (RFC 6455 §7.1.2).
        case closing
        /// The connection is closed: ``Event/closed(_:)`` has been reported.
        case closed
    }

    // Layout: Swift lays stored properties out in the order written. The state that every
    // message touches comes first, so that it spans as few cache lines as possible; what the
    // opening handshake and the close use, and the configuration, follow it. With 100
    // connections served by one thread, each message's first touch of its connection's state
    // misses the cache: in the fan-in profile the hottest instructions were such loads.

    /// Client or server.
    public let role: Role
    /// The current phase.
    public internal(set) var phase: Phase = .connecting
    /// Whether the driver should close the transport once the pending output is written.
    public internal(set) var shouldCloseTransport = false
    /// Whether the transport should close with a lingering close: half-close once the output
    /// is written, read on (the Core discards what it reads) until the peer's EOF, then close;
    /// bounded by the driver's close timer. Set when we fail the connection for a violation in
    /// the peer's input, which the peer may still be sending: closing a TCP socket with unread
    /// input answers with a reset, which discards whatever of our output the kernel has not
    /// sent yet, our Close frame with it (RFC 6455 §7.1.1 wants the peer to read that frame).
    /// Set too, for the same reason, whenever a server answers before the connection opened: a
    /// plain HTTP request's answer, a refused upgrade (``reject(status:reason:headers:)``), and
    /// the 4xx for a head or request that breaks the rules (the rest of it may be on its way).
    public internal(set) var lingersBeforeClosing = false
    /// Set by the driver while its transport takes no more bytes (the peer does not read, so the
    /// socket and the driver's own queue are full) and it leaves the output here untaken. While
    /// set, pings are answered by one pong only, for the most recent ping (RFC 6455 §5.5.3), so a
    /// peer that floods pings without reading cannot grow the output.
    public var isOutputBlocked = false
    /// Whether the memory that gathers frames split across reads is kept when a read ends
    /// between frames. False, the default: released there, so an idle connection keeps none. A
    /// driver that calls ``releaseIdleMemory()`` once the connection goes quiet sets it, so that
    /// a busy connection reuses that memory instead of allocating it again for each split frame.
    public var keepsMemoryBetweenReads = false
    /// Whether arrays offered by ``recycle(_:)`` or kept by ``recycle(writtenChunks:)`` may
    /// still be held (set by the offer, cleared by ``releaseIdleMemory()``; they may have been
    /// used meanwhile, which costs at most one needless idle check).
    @usableFromInline var mayHoldRecycledPayload = false

    // Framing state.
    var input = InputBuffer()
    var decoder: FrameDecoder
    var assembler = MessageAssembler()
    /// A frame continuing in later reads, gathered for ``receiveBorrowing(_:offset:)``.
    @usableFromInline var stage = FrameStage()
    var extensions = ExtensionStack()
    var pendingHeaderChecked = false
    /// How many more data messages may be reported before input processing pauses; nil means
    /// no limit. See ``grantMessageCredit(_:bytes:)``.
    public internal(set) var messageCredit: Int?
    /// How many more payload bytes may be reported before input processing pauses (a message
    /// that crosses it is still reported whole); nil means no limit. See
    /// ``grantMessageCredit(_:bytes:)``.
    public internal(set) var messageByteCredit: Int?

    // Closing state.
    var closeSent = false
    var closeReceived = false
    var eofReceived = false
    var eofHandled = false
    var outgoingMessage: Opcode?

    // Output.
    /// The bytes to write after ``sealedOutput``.
    @usableFromInline var output: [UInt8] = []
    /// Bytes to write before ``output``, in order: earlier output sealed off in front of a large
    /// unmasked payload, which follows as the caller's own array instead of being copied (see
    /// ``zeroCopyThreshold``).
    var sealedOutput: [[UInt8]] = []
    /// The byte count of ``sealedOutput``: 0 exactly when it is empty (each sealed run ends
    /// with a payload of at least ``zeroCopyThreshold`` bytes), so asking costs no touch of the
    /// array's heap buffer.
    var sealedOutputCount = 0
    /// Small arrays the driver has written (frame headers sealed in front of large payloads),
    /// kept for the next headers: see ``recycle(writtenChunks:)``. Burst memory.
    var spareOutputs: [[UInt8]] = []
    var events = EventQueue()
    /// Pongs written to ``output`` since the driver last took it.
    var queuedPongs = 0
    /// The payload of the most recent ping not answered yet: past the pong cap, or while the
    /// output is blocked, its pong waits here (replaced by each newer ping) until the output is
    /// taken or a close frame is sent.
    var latestPong: [UInt8]?

    // Cold state: the handshake, the end, the options, the masking keys' source.
    /// The limits and options in force.
    public let configuration: Configuration
    /// The subprotocol agreed in the opening handshake, if any.
    public internal(set) var subprotocol: String?
    /// How the connection ended, once ``phase`` is `.closed`.
    public internal(set) var closeInfo: CloseInfo?

    // Opening handshake state.
    var clientHandshake: ClientHandshake?
    var headParser: HTTPHeadParser
    /// Server role: the request waiting for the application's answer (phase
    /// `.awaitingUpgradeDecision`), boxed so that it costs the connection one pointer.
    var pendingRequest: PendingRequest?
    /// Client role: the server's response when it answered the upgrade with a status other than
    /// 101, nil otherwise. RFC 6455 §4.1: "If the status code received from the server is not
    /// 101, the client handles the response per HTTP [RFC2616] procedures. In particular, the
    /// client might perform authentication if it receives a 401 status code; the server might
    /// redirect the client using a 3xx status code". The connection fails all the same
    /// (``ConnectionError/Kind/handshake(_:)``, `unexpectedStatus`); this is what the
    /// application needs to go on: `Location`, `WWW-Authenticate`, `Retry-After`.
    public internal(set) var refusedResponse: HTTPResponseHead?
    /// Server role: the status of the response that ended the connection before it opened (a
    /// refused or invalid upgrade request, an answered plain request); nil when none was sent
    /// (the client left, the open timeout) or the connection opened.
    public internal(set) var answeredStatus: Int?
    var random: any RandomNumberGenerator & Sendable

    init(role: Role, configuration: Configuration, random: any RandomNumberGenerator & Sendable) {
        self.role = role
        self.configuration = configuration
        self.random = random
        self.headParser = HTTPHeadParser(limits: configuration.headLimits)
        self.decoder = FrameDecoder(role: role, maxFrameSize: configuration.maxFrameSize)
    }

    /// Whether the driver should arm its close timer: we sent a close frame and wait for the
    /// peer's, or (client role) the closing handshake is done and we wait for the server to
    /// close TCP first (RFC 6455 §7.1.1: the server "SHOULD" close the TCP connection first).
    public var isCloseExpected: Bool {
        switch phase {
        case .closing: return true
        case .closed: return role == .client && !eofHandled && !shouldCloseTransport
        default: return false
        }
    }

    /// Whether bytes are waiting to be written.
    public var hasOutput: Bool { !output.isEmpty || sealedOutputCount != 0 || latestPong != nil }

    /// Whether the output holds payloads kept as their own arrays: ``takeOutput(into:)-([[UInt8]])``
    /// hands them over without copying, ``takeOutput(into:)-([UInt8])`` copies them together.
    public var hasChunkedOutput: Bool { sealedOutputCount != 0 }

    /// How many bytes ``takeOutput(into:)`` would hand over now (for the driver's write
    /// high-water mark, tests and diagnostics).
    public var pendingOutputCount: Int {
        sealedOutputCount + output.count + (latestPong.map { 2 + $0.count + (role.masksOutgoingFrames ? 4 : 0) } ?? 0)
    }

    /// Moves the bytes to write into `buffer`. When `buffer` is empty the two arrays are swapped,
    /// so a driver that reuses its write buffer causes no allocation and no copy.
    /// - Parameter buffer: the driver's write buffer; the output is appended to it.
    public mutating func takeOutput(into buffer: inout [UInt8]) {
        flushLatestPong()
        queuedPongs = 0
        if sealedOutputCount != 0 {
            for chunk in sealedOutput { buffer.append(contentsOf: chunk) }
            sealedOutput.removeAll(keepingCapacity: true)
            sealedOutputCount = 0
        }
        if buffer.isEmpty {
            swap(&buffer, &output)
        } else {
            buffer.append(contentsOf: output)
            output.removeAll(keepingCapacity: true)
        }
    }

    /// Lends the bytes to write to `write`, in the output's own array: what `write` leaves in
    /// the array stays output, written next time. A writer that empties the array and keeps
    /// its storage (as `Channel.write(reusing:)` does when the socket takes everything) writes
    /// every message through this one buffer, where ``takeOutput(into:)-(inout [UInt8])``
    /// swaps the output with the driver's buffer: two arrays per connection, both of whose
    /// headers each message touched (with 100 busy connections on one thread, each a cache
    /// miss).
    /// - Parameter write: writes the bytes it is given and removes what it wrote.
    public mutating func writeOutput(_ write: (inout [UInt8]) -> Void) {
        flushLatestPong()
        queuedPongs = 0
        if sealedOutputCount != 0 {
            var merged: [UInt8] = []
            takeOutput(into: &merged)
            output = merged
        }
        write(&output)
    }

    /// Moves the bytes to write into `chunks`, in order, without copying any: a large payload
    /// sent unmasked (server role) arrives as the very array given to `send`, for a driver that
    /// writes with gathered I/O (`sendmsg` with several buffers).
    /// - Parameter chunks: the driver's list of buffers; the output is appended to it.
    public mutating func takeOutput(into chunks: inout [[UInt8]]) {
        flushLatestPong()
        queuedPongs = 0
        chunks.append(contentsOf: sealedOutput)
        sealedOutput.removeAll(keepingCapacity: true)
        sealedOutputCount = 0
        if !output.isEmpty {
            chunks.append(output)
            output = takeSpareOutput()
        }
    }

    /// Returns the bytes to write and clears them.
    public mutating func takeOutput() -> [UInt8] {
        var bytes: [UInt8] = []
        takeOutput(into: &bytes)
        return bytes
    }

    /// Returns the next event, or nil when there is none. Events come in the order they happened.
    public mutating func nextEvent() -> Event? { events.next() }

    /// Returns every pending event and clears them.
    public mutating func takeEvents() -> [Event] {
        var result: [Event] = []
        while let event = nextEvent() { result.append(event) }
        return result
    }
}
