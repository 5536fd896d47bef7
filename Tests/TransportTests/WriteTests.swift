import Glibc
import Synchronization
import Testing
import WebSocketTransport

@Suite("Writes: queue, writev, backpressure, SIGPIPE")
struct WriteTests {
    /// More than the kernel's buffers hold goes through the write queue and comes back whole.
    /// The echo server reads only once the write has returned: while it read along, the kernel
    /// took all 8 MiB of an earlier version of this test in one write now and then (nothing was
    /// queued, so no `channelWritable` came and the test timed out).
    @Test func moreThanTheSocketBuffersRoundTripThroughTheWriteQueue() async throws {
        try await withLoops(2) { loops in
            let accepted = Promise<Channel>("server channel")
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = EchoHandler()
                channel.isReadEnabled = false
                accepted.fulfill(channel)
            }
            defer { server.close() }
            let message = pattern(max(8 << 20, unreadSocketCapacity() + (2 << 20)), seed: 7)
            let recorder = Recorder(expecting: message.count)
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: recorder
            )
            let serverChannel = try await accepted.value()
            let queued = try await onLoop(loops[1]) {
                channel.write(message)
                return channel.pendingWriteBytes
            }
            #expect(queued > 0, "more than the socket buffers take while the server does not read")
            loops[0].execute { serverChannel.isReadEnabled = true }
            try await recorder.writableSignal.value(timeout: .seconds(30))
            #expect(try await onLoop(loops[1]) { channel.pendingWriteBytes } == 0)
            let echoed = try await recorder.bytesSignal.value(timeout: .seconds(30))
            #expect(echoed.count == message.count)
            #expect(echoed == message)
        }
    }

    @Test func headerAndPayloadArriveInOrderDirectAndQueued() async throws {
        try await withLoops(2) { loops in
            let received = Recorder(expecting: 0)
            let sink = Promise<Recorder>("server channel")
            let frames = (0..<300).map { index in (header: [UInt8(index % 256), 0xFE], payload: pattern(index * 97, seed: index)) }
            let expected = frames.flatMap { $0.header + $0.payload }
            let serverRecorder = Recorder(expecting: expected.count)
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = serverRecorder
                sink.fulfill(serverRecorder)
            }
            defer { server.close() }
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: received
            )
            loops[1].execute {
                for frame in frames { channel.write(header: frame.header, payload: frame.payload) }
                channel.write(header: [], payload: [])
            }
            #expect(try await serverRecorder.bytesSignal.value(timeout: .seconds(20)) == expected)
        }
    }

    /// `write(contentsOf:)`: many buffers, some empty, some large (more than 16 per `sendmsg`,
    /// more than the socket takes at once), mixed with plain writes, arrive in order.
    @Test func chunkListsArriveInOrderDirectAndQueued() async throws {
        try await withLoops(2) { loops in
            let lists = (0..<40).map { index in
                (0..<(index % 23)).map { part in pattern(part % 5 == 0 ? 0 : (part * index * 131) % 70_000, seed: index &+ part) }
            }
            let expected = lists.enumerated().flatMap { index, list in list.flatMap { $0 } + [UInt8(index)] }
            let serverRecorder = Recorder(expecting: expected.count)
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = serverRecorder
            }
            defer { server.close() }
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: Recorder()
            )
            loops[1].execute {
                for (index, list) in lists.enumerated() {
                    channel.write(contentsOf: list)
                    channel.write([UInt8(index)])
                }
            }
            #expect(try await serverRecorder.bytesSignal.value(timeout: .seconds(20)) == expected)
        }
    }

    @Test func disablingReadsHoldsThePeerBack() async throws {
        try await withLoops(2) { loops in
            let message = pattern(4 << 20, seed: 3)
            let serverRecorder = Recorder(expecting: message.count)
            let serverChannel = Promise<Channel>("server channel")
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = serverRecorder
                channel.isReadEnabled = false
                serverChannel.fulfill(channel)
            }
            defer { server.close() }
            let client = Recorder()
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: client
            )
            let accepted = try await serverChannel.value()
            #expect(try await onLoop(loops[1]) { channel.write(message); return channel.pendingWriteBytes } > 0)
            // A short, bounded wait: nothing may be read while reads are disabled.
            try await Task.sleep(for: .milliseconds(100))
            #expect(serverRecorder.bytes.isEmpty)
            #expect(try await onLoop(loops[1]) { channel.pendingWriteBytes } > 0)
            #expect(client.writableSignal.current == nil)
            loops[0].execute { accepted.isReadEnabled = true }
            #expect(try await serverRecorder.bytesSignal.value(timeout: .seconds(20)) == message)
            try await client.writableSignal.value()
        }
    }

    /// Many small writes queued behind backpressure come out as the concatenation of the inputs:
    /// the gathered flush of the write queue against the obvious model.
    @Test func queuedSmallWritesMatchTheirConcatenation() async throws {
        try await withLoops(2) { loops in
            var generator = SystemRandomNumberGenerator()
            let chunks = (0..<2000).map { index in pattern(Int.random(in: 1...3000, using: &generator), seed: index) }
            let expected = chunks.flatMap { $0 }
            let serverRecorder = Recorder(expecting: expected.count)
            let serverChannel = Promise<Channel>("server channel")
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = serverRecorder
                channel.isReadEnabled = false
                serverChannel.fulfill(channel)
            }
            defer { server.close() }
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: Recorder()
            )
            let accepted = try await serverChannel.value()
            loops[1].execute {
                for (index, chunk) in chunks.enumerated() {
                    if index % 3 == 0 {
                        channel.write(header: Array(chunk.prefix(2)), payload: Array(chunk.dropFirst(2)))
                    } else {
                        channel.write(chunk)
                    }
                }
            }
            loops[0].execute { accepted.isReadEnabled = true }
            #expect(try await serverRecorder.bytesSignal.value(timeout: .seconds(20)) == expected)
        }
    }

    @Test(arguments: [false, true])
    func writingToAClosedPeerNeverRaisesSIGPIPE(gathered: Bool) async throws {
        signal(SIGPIPE, SIG_DFL)  // the default: a SIGPIPE would kill the test process
        try await withLoops(2) { loops in
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.close()
            }
            defer { server.close() }
            let recorder = Recorder(onEOF: { _ in })  // stay open after the peer's FIN and keep writing
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(30), on: loops[1], handler: recorder
            )
            let chunk = pattern(16 * 1024)
            @Sendable func writeUntilClosed() {
                guard !channel.isClosed else { return }
                if gathered { channel.write(header: [1, 2], payload: chunk) } else { channel.write(chunk) }
                loops[1].scheduleTask(in: .milliseconds(1)) { writeUntilClosed() }
            }
            loops[1].execute { writeUntilClosed() }
            let error = try await recorder.inactive.value()
            #expect(error?.kind == .connectionReset, "got \(String(describing: error))")
        }
    }
}
