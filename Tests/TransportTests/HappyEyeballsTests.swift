import Glibc
import Testing
import WebSocketTestSupport
@testable import WebSocketTransport

/// RFC 8305's connection race: an address that never answers costs the attempt delay, not the
/// connect's timeout; the losers are closed.
@Suite("Connect: Happy Eyeballs (RFC 8305)")
struct HappyEyeballsTests {
    private func v4(_ port: Int) -> SocketAddress { SocketAddress(ipAddress: "127.0.0.1", port: port)! }
    private func v6(_ port: Int) -> SocketAddress { SocketAddress(ipAddress: "::1", port: port)! }

    @Test func familiesAlternateFromTheResolversFirst() {
        #expect(AddressRace.interleaved([v6(1), v6(2), v6(3), v4(4)]) == [v6(1), v4(4), v6(2), v6(3)])
        #expect(AddressRace.interleaved([v4(1), v4(2), v6(3), v6(4)]) == [v4(1), v6(3), v4(2), v6(4)])
        #expect(AddressRace.interleaved([v4(1), v6(2), v6(3), v6(4)]) == [v4(1), v6(2), v6(3), v6(4)])
        #expect(AddressRace.interleaved([v4(1), v4(2)]) == [v4(1), v4(2)])
        #expect(AddressRace.interleaved([]) == [])
    }

    @Test func theAttemptDelayHasTheRFCsFloor() {
        #expect(AddressRace(addresses: [], attemptDelay: .zero).attemptDelayNanoseconds == 10_000_000)
        #expect(AddressRace(addresses: [], attemptDelay: .milliseconds(-5)).attemptDelayNanoseconds == 10_000_000)
        #expect(AddressRace(addresses: [], attemptDelay: .milliseconds(250)).attemptDelayNanoseconds == 250_000_000)
        #expect(Channel.defaultAttemptDelay == .milliseconds(250))
    }

    @Test func noAttemptStartsWithin10msOfTheLast() {
        var race = AddressRace(addresses: [v4(1), v4(2)], attemptDelay: .seconds(1))
        #expect(race.nanosecondsBeforeNextStart(at: 5) == 0)
        race.noteStart(at: 1_000_000_000)
        #expect(race.nanosecondsBeforeNextStart(at: 1_000_000_000) == 10_000_000)
        #expect(race.nanosecondsBeforeNextStart(at: 1_004_000_000) == 6_000_000)
        #expect(race.nanosecondsBeforeNextStart(at: 1_010_000_000) == 0)
        #expect(race.nanosecondsBeforeNextStart(at: 2_000_000_000) == 0)
    }

    /// Refused attempts make room for the next at once, but RFC 8305 §5's 10 ms floor still
    /// spaces the starts: four addresses take at least 30 ms to reach the last. Had a refusal
    /// waited for the 60 s attempt delay, the 20 s timeout (a loop timer, like the delays, so
    /// the verdict does not depend on how late this task is resumed) would have failed it.
    @Test func refusalsInARowStillKeepTheFloor() async throws {
        try await withLoops { loops in
            // Ports held by sockets that do not listen: a closed listener's port could be taken
            // by a test running beside this one.
            let refusing = try (0..<3).map { _ in try Refuser() }
            defer { for refuser in refusing { refuser.close() } }
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let start = ContinuousClock.now
            let channel = try await Channel.connect(
                to: refusing.map(\.address) + [server.localAddress], timeout: .seconds(20), attemptDelay: .seconds(60),
                on: loops[0], handler: Recorder())
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(30), "started within 10 ms of each other: \(elapsed)")
            #expect(channel.remoteAddress == server.localAddress)
            loops[0].execute { channel.close() }
        }
    }

    /// Without the race the silent first address held the connect until its timeout (60 s, for
    /// a machine slowed by the sanitizers).
    @Test func aSilentAddressCostsTheAttemptDelayNotTheTimeout() async throws {
        try await withLoops { loops in
            let silent = try Blackhole(family: .ipv4)
            defer { silent.close() }
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let channel = try await Channel.connect(
                to: [silent.address, server.localAddress], timeout: .seconds(60), attemptDelay: .milliseconds(100),
                on: loops[0], handler: Recorder())
            #expect(channel.remoteAddress == server.localAddress)
            #expect(silent.connectsInProgress() == 0, "the losing attempt is closed")
            loops[0].execute { channel.close() }
        }
    }

    /// RFC 8305 §4: an IPv4 address goes second even when the resolver listed every IPv6
    /// address first, so two silent IPv6 addresses cost one delay, not two: the IPv4 attempt
    /// starts after 5 s and wins; in the resolver's order it would start after 10 s, past the
    /// 7.5 s timeout. Delays and timeout are loop timers, so the verdict does not depend on
    /// how late a loaded machine resumes this task.
    @Test(.enabled(if: ipv6LoopbackAvailable, "::1 cannot be bound on this machine (IPv6 disabled)"))
    func theSecondAttemptIsTheOtherFamily() async throws {
        try await withLoops { loops in
            let silent = [try Blackhole(family: .ipv6), try Blackhole(family: .ipv6)]
            defer { for hole in silent { hole.close() } }
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let channel = try await Channel.connect(
                to: silent.map(\.address) + [server.localAddress], timeout: .milliseconds(7500),
                attemptDelay: .seconds(5), on: loops[0], handler: Recorder())
            #expect(channel.remoteAddress == server.localAddress)
            #expect(silent.map { $0.connectsInProgress() } == [0, 0])
            loops[0].execute { channel.close() }
        }
    }

    /// The proxy exchange runs on the attempt that won the race: the silent first address's
    /// socket is closed and the tunnel opens on the second's.
    @Test func aTunnelOpensOnTheWinner() async throws {
        try await withLoops { loops in
            let silent = try Blackhole(family: .ipv4)
            defer { silent.close() }
            let proxy = FakeProxy()
            let listener = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { $0.handler = proxy }
            defer { listener.close() }
            let tunnel = try ProxyTunnel(host: "server.example", port: 443, proxy: HTTPProxy(host: "127.0.0.1", port: 1))
            let recorder = Recorder(expecting: 5)
            let channel = try await Channel.connect(
                to: [silent.address, listener.localAddress], timeout: .seconds(120), attemptDelay: .milliseconds(50),
                tunnel: tunnel, on: loops[0], handler: recorder)
            #expect(channel.remoteAddress == listener.localAddress)
            #expect(silent.connectsInProgress() == 0)
            #expect(proxy.request.withLock { $0 }.hasPrefix("CONNECT server.example:443 HTTP/1.1\r\n"))
            loops[0].execute { channel.write(Array("hello".utf8)) }
            #expect(try await recorder.bytesSignal.value() == Array("hello".utf8), "through the tunnel and back")
            loops[0].execute { channel.close() }
        }
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "::1 cannot be bound on this machine (IPv6 disabled)"))
    func silentAddressesTimeOutAndEveryAttemptIsClosed() async throws {
        try await withLoops { loops in
            let silent = [try Blackhole(family: .ipv4), try Blackhole(family: .ipv6), try Blackhole(family: .ipv4)]
            defer { for hole in silent { hole.close() } }
            do throws(TransportError) {
                _ = try await Channel.connect(
                    to: silent.map(\.address), timeout: .milliseconds(400), attemptDelay: .milliseconds(50),
                    on: loops[0], handler: Recorder())
                Issue.record("connected to a silent address")
            } catch {
                #expect(error.kind == .connectTimeout)
            }
            #expect(silent.map { $0.connectsInProgress() } == [0, 0, 0])
        }
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "::1 cannot be bound on this machine (IPv6 disabled)"))
    func cancellingTheRaceClosesEveryAttempt() async throws {
        try await withLoops { loops in
            let silent = [try Blackhole(family: .ipv4), try Blackhole(family: .ipv6)]
            defer { for hole in silent { hole.close() } }
            let addresses = silent.map(\.address)
            let task = Task {
                try await Channel.connect(
                    to: addresses, timeout: .seconds(600), attemptDelay: .milliseconds(20), on: loops[0], handler: Recorder())
            }
            // Both attempts are in flight once the second has been seen.
            let deadline = ContinuousClock.now + .seconds(300)
            while silent[1].connectsInProgress() == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(silent.map { $0.connectsInProgress() } == [1, 1])
            task.cancel()
            await #expect(throws: TransportError.self) { _ = try await task.value }
            #expect(silent.map { $0.connectsInProgress() } == [0, 0])
        }
    }
}

/// A 127.0.0.1 port bound by a socket that does not listen: a connect to it is refused, and no
/// other socket can take the port while this holds it.
final class Refuser: @unchecked Sendable {
    let address: SocketAddress
    private var descriptor: Int32

    init() throws {
        descriptor = try Syscall.socket(.ipv4)
        try Syscall.bind(descriptor, to: SocketAddress(ipAddress: "127.0.0.1", port: 0)!)
        guard let bound = Syscall.address(of: descriptor, local: true) else { throw TimedOut(what: "a bound address") }
        address = bound
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }
}

/// An HTTP proxy that answers any CONNECT with 200 and then echoes what it reads.
final class FakeProxy: ChannelHandler, @unchecked Sendable {
    let request = Locked("")
    private var open = false

    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        guard !open else { return channel.write(Array(bytes)) }
        let head = request.withLock { request in
            request += String(decoding: bytes, as: UTF8.self)
            return request
        }
        guard head.hasSuffix("\r\n\r\n") else { return }
        open = true
        channel.write(Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8))
    }
}

/// A loopback port whose SYNs go unanswered: a listener with a backlog of 0 whose one queue
/// slot holds a connection nobody accepts, so Linux drops every further SYN and a connect to
/// it neither succeeds nor fails.
final class Blackhole: @unchecked Sendable {
    let address: SocketAddress
    private var listener: Int32
    private var filler: Int32 = -1

    init(family: SocketAddress.Family) throws {
        listener = try Syscall.socket(family)
        try Syscall.bind(listener, to: SocketAddress(ipAddress: family == .ipv4 ? "127.0.0.1" : "::1", port: 0)!)
        try Syscall.listen(listener, backlog: 0)
        guard let bound = Syscall.address(of: listener, local: true) else { throw TimedOut(what: "a bound address") }
        address = bound
        filler = try Syscall.socket(family)
        _ = try Syscall.connect(filler, to: bound)
        // The slot is taken once the listener's side of the filler is established (queued for
        // an accept that never comes), which can trail the filler's own side under load.
        var ready = pollfd(fd: filler, events: Int16(POLLOUT), revents: 0)
        guard poll(&ready, 1, 10_000) == 1, (try? Syscall.pendingError(filler)) == .some(nil) else {
            throw TimedOut(what: "the connection filling the backlog")
        }
        var polls = 0
        while sockets(local: true, state: "01") == 0 {
            polls += 1
            guard polls < 1000 else { throw TimedOut(what: "the queued connection") }
            usleep(10_000)
        }
    }

    /// How many sockets are in SYN_SENT towards this port: connects in progress.
    func connectsInProgress() -> Int {
        sockets(local: false, state: "02")
    }

    /// How many sockets of `/proc/net/tcp` (or `tcp6`) are in `state` (hex, as the table
    /// writes it) with this port as their local port, or as their remote port. Read as bytes:
    /// with a thousand connections open in the process the table is hundreds of KiB, and
    /// splitting it into strings under ThreadSanitizer kept the tests' threads busy for seconds.
    private func sockets(local: Bool, state: String) -> Int {
        let table = Self.contents(of: address.family == .ipv4 ? "/proc/net/tcp" : "/proc/net/tcp6")
        let hex = Array(String(address.port, radix: 16, uppercase: true).utf8)
        let port = Array(":".utf8) + [UInt8](repeating: UInt8(ascii: "0"), count: 4 - hex.count) + hex
        let wanted = Array(state.utf8)
        var count = 0
        var lineStart = 0
        while lineStart < table.count {
            let lineEnd = table[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? table.count
            let fields = Self.fields(table[lineStart..<lineEnd], upTo: 4)
            if fields.count == 4, fields[local ? 1 : 2].suffix(port.count).elementsEqual(port),
               fields[3].elementsEqual(wanted) {
                count += 1
            }
            lineStart = lineEnd + 1
        }
        return count
    }

    /// The first `limit` space-separated fields of `line`.
    private static func fields(_ line: ArraySlice<UInt8>, upTo limit: Int) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var index = line.startIndex
        while fields.count < limit {
            while index < line.endIndex, line[index] == UInt8(ascii: " ") { index += 1 }
            guard index < line.endIndex else { break }
            let start = index
            while index < line.endIndex, line[index] != UInt8(ascii: " ") { index += 1 }
            fields.append(line[start..<index])
        }
        return fields
    }

    /// A whole `/proc` file (its size is not known before it is read).
    private static func contents(of path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { Glibc.close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk.prefix(count)
        }
        return bytes
    }

    func close() {
        if filler >= 0 { Glibc.close(filler) }
        if listener >= 0 { Glibc.close(listener) }
        filler = -1
        listener = -1
    }
}
