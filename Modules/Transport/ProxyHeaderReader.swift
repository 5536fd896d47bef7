/// Reads the PROXY protocol header (``ProxyHeader``) of an accepted connection before it
/// becomes a ``Channel``, so that the channel's ``Channel/remoteAddress`` is the client the
/// load balancer relays and the TLS handshake, if any, starts after the header.
///
/// It consumes exactly the header's bytes: it peeks, and reads only what the peeked bytes
/// prove to be header (all of them while the header is incomplete, since a version 1 line
/// ends at its CRLF and a version 2 block announces its length). A connection that closes,
/// sends something else, or has not sent a whole header by the timeout is dropped. Loop thread
/// only, after ``start()``.
final class ProxyHeaderReader: Selectable, @unchecked Sendable {
    private let listener: Listener
    private let loop: EventLoop
    private var socket: Socket?
    private let descriptor: Int32
    private let peer: SocketAddress?
    private let timeout: Duration
    /// The header's bytes read so far.
    private var received: [UInt8] = []
    private var registrationID: UInt64?
    private var timer: Scheduled?
    private var isDone = false

    /// A reader that never ran (its loop stopped before ``start()``) still gives its place back.
    deinit {
        if !isDone { listener.headerReadEnded() }
    }

    init(listener: Listener, socket: consuming Socket, peer: SocketAddress?, loop: EventLoop, timeout: Duration) {
        self.listener = listener
        self.loop = loop
        self.descriptor = socket.descriptor
        self.socket = consume socket
        self.peer = peer
        self.timeout = timeout
    }

    /// Starts waiting for the header, on the loop.
    func start() {
        timer = loop.scheduleTask(in: timeout) { [self] in
            finish(failing: "no whole PROXY protocol header within \(timeout)")
        }
        do {
            registrationID = try loop.register(self, descriptor: descriptor, interest: [.read])
        } catch {
            finish(failing: "not read: \(error)")
        }
    }

    func handleEvent(_ event: PollEvent) {
        guard !isDone else { return }
        var peeked = [UInt8](repeating: 0, count: ProxyHeader.bytesWanted(after: received))
        let count: Int
        do {
            switch try peeked.withUnsafeMutableBytes({ (buffer) throws(TransportError) in try Syscall.peek(descriptor, into: buffer) }) {
            case .wouldBlock: return
            case .processed(let peekedCount): count = peekedCount
            }
        } catch {
            return finish(failing: "not read: \(error)")
        }
        guard count > 0 else { return finish(failing: "closed before its PROXY protocol header") }
        let candidate = received + peeked[..<count]
        switch ProxyHeader.parse(candidate) {
        case .incomplete:
            guard consume(count, into: &peeked) else { return finish(failing: "its PROXY protocol header was not read") }
            received = candidate
        case .invalid:
            finish(failing: "no valid PROXY protocol header")
        case .header(let header):
            guard consume(header.length - received.count, into: &peeked) else {
                return finish(failing: "its PROXY protocol header was not read")
            }
            finish(opening: header)
        }
    }

    func loopWillShutDown() {
        finish(opening: nil)
    }

    /// Drops the connection and tells the listener's `onFailure` why.
    private func finish(failing reason: String) {
        guard !isDone else { return }
        finish(opening: nil)
        listener.report(TransportError(.proxy("dropped: " + reason), endpoint: peer?.description))
    }

    /// Reads and discards `count` bytes already peeked, into `buffer`, which held them (so it
    /// is at least that long: the header never ends past the bytes peeked).
    private func consume(_ count: Int, into buffer: inout [UInt8]) -> Bool {
        var done = 0
        while done < count {
            let result = try? buffer.withUnsafeMutableBytes { (buffer) throws(TransportError) in
                try Syscall.receive(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<count]))
            }
            guard case .processed(let read)? = result, read > 0 else { return false }
            done += read
        }
        return true
    }

    /// Ends the wait: opens the channel with the client `opening` names (the connection's own
    /// peer when it names none), or drops the connection when `opening` is nil.
    private func finish(opening: ProxyHeader?) {
        guard !isDone else { return }
        isDone = true
        timer?.cancel()
        timer = nil
        if let registrationID { loop.deregister(registrationID, descriptor: descriptor, interest: [.read]) }
        registrationID = nil
        listener.headerReadEnded()
        guard let header = opening, !listener.isClosed, let socket = socket.take() else {
            socket = nil
            return
        }
        listener.open(socket, remoteAddress: header.source ?? peer, proxyHeader: header, on: loop)
    }
}
