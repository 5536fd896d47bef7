import Testing
import WebSocketTestSupport
import WebSocketTransport

@Suite("Echo over loopback")
struct EchoTests {
    @Test func echoOverIPv4() async throws {
        try await echoRoundTrip(host: "127.0.0.1")
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "::1 cannot be bound on this machine (IPv6 disabled)"))
    func echoOverIPv6() async throws {
        try await echoRoundTrip(host: "::1")
    }

    @Test func echoViaLocalhostName() async throws {
        try await withLoops { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let recorder = Recorder(expecting: 5)
            let channel = try await Channel.connect(
                host: "localhost", port: server.localAddress.port, timeout: .seconds(180), on: loops[0], handler: recorder
            )
            loops[0].execute { channel.write(Array("hello".utf8)) }
            #expect(try await recorder.bytesSignal.value() == Array("hello".utf8))
        }
    }

    private func echoRoundTrip(host: String) async throws {
        try await withLoops(2) { loops in
            let server = try echoServer(host: host, on: loops[0])
            defer { server.close() }
            #expect(server.localAddress.port != 0)
            #expect(server.localAddress.host == host)
            let message = pattern(100_000)
            let recorder = Recorder(expecting: message.count)
            let channel = try await Channel.connect(
                host: host, port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: recorder
            )
            try await recorder.activeSignal.value()
            #expect(channel.remoteAddress == server.localAddress)
            #expect(channel.localAddress?.host == host)
            loops[1].execute { channel.write(message) }
            #expect(try await recorder.bytesSignal.value() == message)
            loops[1].execute { channel.close() }
            #expect(try await recorder.inactive.value() == nil)
            let counts = recorder.counts.withLock { $0 }
            #expect(counts.active == 1 && counts.inactive == 1 && counts.eof == 0)
        }
    }

    @Test func twoHundredConnectionsOnOneLoop() async throws {
        try await withLoops(2) { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let port = server.localAddress.port
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let message = Array("message \(index)".utf8)
                        let recorder = Recorder(expecting: message.count)
                        let channel = try await Channel.connect(
                            host: "127.0.0.1", port: port, timeout: .seconds(30), on: loops[1], handler: recorder
                        )
                        loops[1].execute { channel.write(message) }
                        let echoed = try await recorder.bytesSignal.value()
                        loops[1].execute { channel.close() }
                        _ = try await recorder.inactive.value()
                        return echoed == message
                    }
                }
                var successes = 0
                for try await ok in group where ok { successes += 1 }
                #expect(successes == 200)
            }
        }
    }

    @Test func acceptedChannelsAreSpreadOverChildLoops() async throws {
        try await withLoops(3) { loops in
            let seenLoops = Promise<Void>("two child loops")
            let clients = Recorder()
            let hits = NameSet()
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0], childLoops: [loops[1], loops[2]]) { channel in
                #expect(channel.loop.inEventLoop)
                #expect(channel.handler == nil)
                channel.handler = EchoHandler()
                if hits.add(channel.loop.name) == 2 { seenLoops.fulfill(()) }
            }
            defer { server.close() }
            var channels: [Channel] = []
            for _ in 0..<4 {
                channels.append(try await Channel.connect(
                    host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[0], handler: clients
                ))
            }
            try await seenLoops.value()
            let all = channels
            loops[0].execute { for channel in all { channel.close() } }
        }
    }
}

/// The set of loop names seen, thread-safe.
final class NameSet: Sendable {
    private let names = Locked<Set<String>>([])
    func add(_ name: String) -> Int { names.withLock { $0.insert(name); return $0.count } }
}
