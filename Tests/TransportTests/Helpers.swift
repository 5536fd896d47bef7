import Glibc
import Testing
import WebSocketTestSupport
import WebSocketTransport

/// A test waited too long.
struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A value that arrives later, from any thread; awaited with a bounded timeout.
final class Promise<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [Int: CheckedContinuation<Value, any Error>] = [:]
        var nextID = 0
    }

    private let state = Locked(State())
    private let what: String

    init(_ what: String = "a value") {
        self.what = what
    }

    /// Delivers `value`; only the first call counts.
    func fulfill(_ value: Value) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    var current: Value? { state.withLock { $0.value } }

    /// Waits for the value, at most `timeout`.
    func value(timeout: Duration = .seconds(30)) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await self.wait() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut(what: self.what)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw TimedOut(what: what) }
            return first
        }
    }

    private func wait() async throws -> Value {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    if let value = state.value { return .success(value) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// Records everything a channel reports. Callbacks run on the loop; tests read after awaiting.
final class Recorder: ChannelHandler, @unchecked Sendable {
    struct Counts: Sendable, Equatable {
        var active = 0
        var eof = 0
        var writable = 0
        var inactive = 0
    }

    let counts = Locked(Counts())
    let received = Locked<[UInt8]>([])
    let inactive = Promise<TransportError?>("channelInactive")
    let activeSignal = Promise<Void>("channelActive")
    let eofSignal = Promise<Void>("channelEOF")
    let writableSignal = Promise<Void>("channelWritable")
    let bytesSignal: Promise<[UInt8]>
    let expectedBytes: Int
    /// What to do on EOF; default: close (the protocol's default).
    let onEOF: @Sendable (Channel) -> Void
    /// Extra work on each read, on the loop.
    let onRead: @Sendable (Channel, [UInt8]) -> Void

    init(
        expecting expectedBytes: Int = .max,
        onEOF: @escaping @Sendable (Channel) -> Void = { $0.close() },
        onRead: @escaping @Sendable (Channel, [UInt8]) -> Void = { _, _ in }
    ) {
        self.expectedBytes = expectedBytes
        self.bytesSignal = Promise("\(expectedBytes) bytes")
        self.onEOF = onEOF
        self.onRead = onRead
    }

    var bytes: [UInt8] { received.withLock { $0 } }

    func channelActive(_ channel: Channel) {
        counts.withLock { $0.active += 1 }
        activeSignal.fulfill(())
    }

    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        let chunk = Array(bytes)
        let total = received.withLock { received -> [UInt8]? in
            received.append(contentsOf: chunk)
            return received.count >= expectedBytes ? received : nil
        }
        if let total { bytesSignal.fulfill(total) }
        onRead(channel, chunk)
    }

    func channelWritable(_ channel: Channel) {
        counts.withLock { $0.writable += 1 }
        writableSignal.fulfill(())
    }

    func channelEOF(_ channel: Channel) {
        counts.withLock { $0.eof += 1 }
        eofSignal.fulfill(())
        onEOF(channel)
    }

    func channelInactive(_ channel: Channel, error: TransportError?) {
        counts.withLock { $0.inactive += 1 }
        inactive.fulfill(error)
    }
}

/// Writes back whatever it reads.
final class EchoHandler: ChannelHandler {
    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        channel.write(Array(bytes))
    }
}

/// Runs `body` with fresh loops, shutting them down afterwards.
func withLoops<Result>(
    _ count: Int = 1, _ body: ([EventLoop]) async throws -> Result
) async throws -> Result {
    let loops = EventLoop.makeGroup(count: count, name: "test-loop")
    defer { for loop in loops { loop.syncShutdown() } }
    return try await body(loops)
}

/// Binds an echo server on `host`, port 0.
func echoServer(host: String = "127.0.0.1", on loop: EventLoop, childLoops: [EventLoop]? = nil) throws -> Listener {
    try Listener.bind(host: host, port: 0, on: loop, childLoops: childLoops) { channel in
        channel.handler = EchoHandler()
    }
}

/// Runs `body` on `loop` and returns its result.
func onLoop<Value: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> Value) async throws -> Value {
    let promise = Promise<Value>("a task on \(loop.name)")
    loop.execute { promise.fulfill(body()) }
    return try await promise.value()
}

/// A deterministic byte pattern of `count` bytes.
func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &+ seed) % 251) }
}

/// Whether `::1` can be bound on this machine (some containers have IPv6 disabled).
let ipv6LoopbackAvailable: Bool = {
    let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
        }
    }
}()

/// About the most a loopback connection's kernel buffers take from a writer while the reader's
/// application reads nothing: the send buffer's maximum (the third field of `tcp_wmem`, which
/// autotuning may reach) plus the receive buffer's initial size (the second field of
/// `tcp_rmem`: Linux grows a receive buffer only as its application reads). 16 MiB for a
/// field that cannot be read.
func unreadSocketCapacity() -> Int {
    TCPBufferLimits.send(.maximum) + TCPBufferLimits.receive(.initial)
}
