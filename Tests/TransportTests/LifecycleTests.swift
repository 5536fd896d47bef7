import Synchronization
import Testing
import WebSocketTestSupport
import WebSocketTransport

@Suite("Channel lifecycle: EOF, close, shutdown")
struct LifecycleTests {
    /// A server that greets each connection, then half-closes.
    private func greeter(on loop: EventLoop, received: Recorder? = nil) throws -> Listener {
        try Listener.bind(host: "127.0.0.1", port: 0, on: loop) { channel in
            channel.handler = received ?? Recorder(onEOF: { $0.close() })
            channel.write(Array("bye".utf8))
            channel.shutdownWrite()
        }
    }

    @Test func peerEOFClosesByDefault() async throws {
        try await withLoops { loops in
            let server = try greeter(on: loops[0])
            defer { server.close() }
            let recorder = Recorder()
            _ = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[0], handler: recorder
            )
            #expect(try await recorder.inactive.value() == nil)
            #expect(recorder.bytes == Array("bye".utf8))
            #expect(recorder.counts.withLock { $0 } == Recorder.Counts(active: 1, eof: 1, writable: 0, inactive: 1))
        }
    }

    @Test func halfClosedChannelCanStillWrite() async throws {
        try await withLoops { loops in
            let serverSide = Recorder(expecting: 3, onEOF: { $0.close() })
            let server = try greeter(on: loops[0], received: serverSide)
            defer { server.close() }
            let client = Recorder(onEOF: { channel in
                channel.write(Array("ack".utf8))
                channel.closeAfterFlush()
            })
            _ = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[0], handler: client
            )
            #expect(try await serverSide.bytesSignal.value() == Array("ack".utf8))
            #expect(try await client.inactive.value() == nil)
            #expect(try await serverSide.inactive.value() == nil)
            #expect(serverSide.counts.withLock { $0.eof } == 1)
        }
    }

    @Test func closeIsIdempotentAndInactiveFiresOnce() async throws {
        try await withLoops { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let recorder = Recorder()
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[0], handler: recorder
            )
            let state = try await onLoop(loops[0]) { () -> (Bool, Bool) in
                channel.close()
                channel.close()
                channel.closeAfterFlush()
                channel.shutdownWrite()
                channel.write([1, 2, 3])
                channel.isReadEnabled = false
                return (channel.isClosed, channel.handler == nil)
            }
            #expect(state == (true, true))
            #expect(try await recorder.inactive.value() == nil)
            _ = try await onLoop(loops[0]) { () }
            #expect(recorder.counts.withLock { $0.inactive } == 1)
        }
    }

    @Test func closeInsideChannelReadFiresInactiveOnce() async throws {
        try await withLoops { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let recorder = Recorder(onRead: { channel, _ in
                channel.close()
                channel.close()
            })
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[0], handler: recorder
            )
            loops[0].execute { channel.write(pattern(200_000)) }
            #expect(try await recorder.inactive.value() == nil)
            _ = try await onLoop(loops[0]) { () }
            #expect(recorder.counts.withLock { $0.inactive } == 1)
        }
    }

    @Test func peerResetIsReportedOnceWithAnError() async throws {
        try await withLoops { loops in
            // The server closes with unread bytes in its receive buffer: the kernel sends RST.
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = Recorder()
                channel.isReadEnabled = false
                channel.loop.scheduleTask(in: .milliseconds(50)) { channel.close() }
            }
            defer { server.close() }
            let recorder = Recorder(onEOF: { _ in })
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[0], handler: recorder
            )
            loops[0].execute { channel.write(pattern(1000)) }
            let error = try await recorder.inactive.value()
            #expect(error?.kind == .connectionReset, "got \(String(describing: error))")
            _ = try await onLoop(loops[0]) { () }
            #expect(recorder.counts.withLock { $0.inactive } == 1)
        }
    }

    @Test func closeAfterFlushDeliversEverythingFirst() async throws {
        try await withLoops(2) { loops in
            let message = pattern(3 << 20, seed: 11)
            let serverSide = Recorder(expecting: message.count)
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { $0.handler = serverSide }
            defer { server.close() }
            let client = Recorder()
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: client
            )
            loops[1].execute {
                channel.write(message)
                channel.closeAfterFlush()
                channel.write([9, 9, 9])  // ignored: the channel is closing
            }
            #expect(try await serverSide.bytesSignal.value(timeout: .seconds(20)) == message)
            #expect(try await serverSide.inactive.value() == nil)
            #expect(try await client.inactive.value() == nil)
            #expect(serverSide.bytes.count == message.count)
        }
    }

    @Test func loopShutdownClosesItsChannels() async throws {
        let serverLoop = EventLoop(name: "server")
        defer { serverLoop.syncShutdown() }
        let clientLoop = EventLoop(name: "client")
        let server = try echoServer(on: serverLoop)
        defer { server.close() }
        let recorder = Recorder()
        _ = try await Channel.connect(
            host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: clientLoop, handler: recorder
        )
        clientLoop.syncShutdown()
        #expect(try await recorder.inactive.value() == TransportError(.eventLoopShutdown))
    }

    /// An echo listener on a port below Linux's ephemeral range (32768-60999): once it closes,
    /// no other test's outgoing connection can take the port as its local one before the rebind
    /// below (one did under a CI run's parallel load: EADDRINUSE, the listener closed fine).
    static func echoServerBelowTheEphemeralRange(on loop: EventLoop) throws -> Listener {
        let start = Int.random(in: 20_000..<30_000)
        for port in stride(from: start, to: start + 1_400, by: 7) {
            if let listener = try? Listener.bind(host: "127.0.0.1", port: port, on: loop, accept: { $0.handler = EchoHandler() }) {
                return listener
            }
        }
        return try Listener.bind(host: "127.0.0.1", port: start + 1, on: loop) { $0.handler = EchoHandler() }
    }

    @Test func closedListenerFreesItsPort() async throws {
        try await withLoops { loops in
            let listener = try Self.echoServerBelowTheEphemeralRange(on: loops[0])
            let port = listener.localAddress.port
            listener.close()
            listener.close()
            await #expect(throws: TransportError(.connectionRefused, endpoint: "127.0.0.1:\(port)")) {
                _ = try await Channel.connect(host: "127.0.0.1", port: port, timeout: .seconds(30), on: loops[0], handler: Recorder())
            }
            let again = try Listener.bind(host: "127.0.0.1", port: port, on: loops[0]) { $0.close() }
            #expect(again.localAddress.port == port)
            again.close()
        }
    }

    @Test func bindingABoundPortFails() async throws {
        try await withLoops { loops in
            let first = try echoServer(on: loops[0])
            defer { first.close() }
            #expect {
                try Listener.bind(host: "127.0.0.1", port: first.localAddress.port, on: loops[0]) { $0.close() }
            } throws: { error in
                (error as? TransportError)?.kind == .addressInUse
            }
        }
    }

    @Test func reusePortLetsTwoListenersShareAPort() async throws {
        try await withLoops(2) { loops in
            let first = try Listener.bind(host: "127.0.0.1", port: 0, reusePort: true, on: loops[0]) { $0.close() }
            defer { first.close() }
            let second = try Listener.bind(
                host: "127.0.0.1", port: first.localAddress.port, reusePort: true, on: loops[1]
            ) { $0.close() }
            defer { second.close() }
            #expect(second.localAddress == first.localAddress)
        }
    }
}
