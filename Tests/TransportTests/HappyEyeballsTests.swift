import Glibc
import Testing
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

    /// Without the race the silent first address held the connect until its timeout.
    @Test func aSilentAddressCostsTheAttemptDelayNotTheTimeout() async throws {
        try await withLoops { loops in
            let silent = try Blackhole(family: .ipv4)
            defer { silent.close() }
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let channel = try await Channel.connect(
                to: [silent.address, server.localAddress], timeout: .seconds(5), attemptDelay: .milliseconds(100),
                on: loops[0], handler: Recorder())
            #expect(channel.remoteAddress == server.localAddress)
            #expect(silent.connectsInProgress() == 0, "the losing attempt is closed")
            loops[0].execute { channel.close() }
        }
    }

    /// RFC 8305 §4: an IPv4 address goes second even when the resolver listed every IPv6
    /// address first, so two silent IPv6 addresses cost one delay, not two. In order, the IPv4
    /// attempt would start after 2 × 2 s, past the 3.5 s timeout.
    @Test func theSecondAttemptIsTheOtherFamily() async throws {
        try await withLoops { loops in
            let silent = [try Blackhole(family: .ipv6), try Blackhole(family: .ipv6)]
            defer { for hole in silent { hole.close() } }
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let channel = try await Channel.connect(
                to: silent.map(\.address) + [server.localAddress], timeout: .milliseconds(3500),
                attemptDelay: .seconds(2), on: loops[0], handler: Recorder())
            #expect(channel.remoteAddress == server.localAddress)
            #expect(silent.map { $0.connectsInProgress() } == [0, 0])
            loops[0].execute { channel.close() }
        }
    }

    /// A refused attempt makes room for the next at once instead of after the delay.
    @Test func aFailedAttemptStartsTheNextAtOnce() async throws {
        try await withLoops { loops in
            let closed = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { $0.close() }
            let closedAddress = closed.localAddress
            closed.close()
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let start = ContinuousClock.now
            let channel = try await Channel.connect(
                to: [closedAddress, server.localAddress], timeout: .seconds(60), attemptDelay: .seconds(30),
                on: loops[0], handler: Recorder())
            #expect(ContinuousClock.now - start < .seconds(15), "the next attempt waited for the delay")
            #expect(channel.remoteAddress == server.localAddress)
            loops[0].execute { channel.close() }
        }
    }

    @Test func silentAddressesTimeOutAndEveryAttemptIsClosed() async throws {
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

    @Test func cancellingTheRaceClosesEveryAttempt() async throws {
        try await withLoops { loops in
            let silent = [try Blackhole(family: .ipv4), try Blackhole(family: .ipv6)]
            defer { for hole in silent { hole.close() } }
            let addresses = silent.map(\.address)
            let task = Task {
                try await Channel.connect(
                    to: addresses, timeout: .seconds(60), attemptDelay: .milliseconds(20), on: loops[0], handler: Recorder())
            }
            // Both attempts are in flight once the second has been seen.
            let deadline = ContinuousClock.now + .seconds(30)
            while silent[1].connectsInProgress() == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(silent.map { $0.connectsInProgress() } == [1, 1])
            task.cancel()
            await #expect(throws: TransportError.self) { _ = try await task.value }
            #expect(silent.map { $0.connectsInProgress() } == [0, 0])
        }
    }
}

/// A loopback port whose SYNs go unanswered: a listener with a backlog of 0 whose one queue
/// slot holds a connection nobody accepts, so Linux drops every further SYN and a connect to
/// it neither succeeds nor fails.
final class Blackhole: @unchecked Sendable {
    let address: SocketAddress
    private var listener: Int32
    private var filler: Int32

    init(family: SocketAddress.Family) throws {
        listener = try Syscall.socket(family)
        try Syscall.bind(listener, to: SocketAddress(ipAddress: family == .ipv4 ? "127.0.0.1" : "::1", port: 0)!)
        try Syscall.listen(listener, backlog: 0)
        guard let bound = Syscall.address(of: listener, local: true) else { throw TimedOut(what: "a bound address") }
        address = bound
        // A blocking connect, so the slot is taken when this returns.
        filler = Glibc.socket(Syscall.familyCode(family), Int32(SOCK_STREAM.rawValue), 0)
        let status = bound.withSockaddr { address, length in Glibc.connect(filler, address, length) }
        guard status == 0 else { throw TimedOut(what: "the connection filling the backlog") }
    }

    /// How many sockets of this process and others are in SYN_SENT towards this port
    /// (`/proc/net/tcp` or `tcp6`, state 02).
    func connectsInProgress() -> Int {
        let table = address.family == .ipv4 ? "/proc/net/tcp" : "/proc/net/tcp6"
        let port = String(address.port, radix: 16, uppercase: true)
        let remotePort = ":" + String(repeating: "0", count: 4 - port.count) + port
        return Self.contents(of: table).split(separator: "\n").count { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[2].hasSuffix(remotePort) && fields[3] == "02"
        }
    }

    /// A whole `/proc` file (its size is not known before it is read).
    private static func contents(of path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { Glibc.close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func close() {
        if filler >= 0 { Glibc.close(filler) }
        if listener >= 0 { Glibc.close(listener) }
        filler = -1
        listener = -1
    }
}
