import Testing
import WebSocketTestSupport
import WebSocketTransport

/// A TLS server made by hand from a plain channel and a ``TLSSession`` (the byte transformer on
/// someone else's I/O): after the handshake it sends "hello" and ends the connection either with
/// `close_notify` or abruptly (TCP FIN only), which our own channel never does.
final class HandMadeTLSServer: ChannelHandler, @unchecked Sendable {
    let session: TLSSession
    let sendsCloseNotify: Bool

    init(context: TLSContext, sendsCloseNotify: Bool) throws {
        session = try TLSSession(context: context)
        self.sendsCloseNotify = sendsCloseNotify
    }

    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        session.feed(bytes)
        guard !session.isHandshakeComplete else { return }
        do {
            let done = try session.handshake()
            channel.write(session.takeCiphertext())
            guard done else { return }
            try session.writePlaintext(Array("hello".utf8))
            if sendsCloseNotify { session.shutdown() }
            channel.write(session.takeCiphertext())
            channel.closeAfterFlush()
        } catch {
            channel.close()
        }
    }
}

/// Answers anything with `reply` and closes (a peer that does not speak TLS).
final class ReplyingHandler: ChannelHandler {
    let reply: [UInt8]
    init(_ reply: String) { self.reply = Array(reply.utf8) }
    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        channel.write(reply)
        channel.closeAfterFlush()
    }
}

/// Sends `message` in one write when the first bytes arrive.
final class SendOnceHandler: ChannelHandler {
    let message: [UInt8]
    let closes: Bool
    private var sent = false
    /// - Parameter closes: whether to close (`close_notify`, then FIN) right after the message.
    init(_ message: [UInt8], closes: Bool = false) {
        self.message = message
        self.closes = closes
    }
    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        guard !sent else { return }
        sent = true
        channel.write(message)
        if closes { channel.closeAfterFlush() }
    }
}

/// A server handler that writes back what it reads, then closes after the first `count` bytes.
final class CountingEchoHandler: ChannelHandler {
    let count: Int
    private var seen = 0
    init(closingAfter count: Int) { self.count = count }
    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer) {
        channel.write(Array(bytes))
        seen += bytes.count
        if seen >= count { channel.closeAfterFlush() }
    }
}

@Suite("TLS channels over loopback (RFC 8446 §6.1 closure)", .timeLimit(.minutes(1)))
struct TLSChannelTests {
    func tlsListener(on loop: EventLoop, identity: String = "server", handler: @escaping @Sendable () -> any ChannelHandler) throws -> Listener {
        try Listener.bind(host: "127.0.0.1", port: 0, tls: try TLSFixtures.server(identity), on: loop) { channel in
            channel.handler = handler()
        }
    }

    @Test func echoThroughTLSThenCloseNotifyFromTheServer() async throws {
        try await withLoops(2) { loops in
            let message = pattern(300_000)
            let server = try tlsListener(on: loops[0]) { CountingEchoHandler(closingAfter: message.count) }
            defer { server.close() }
            let recorder = Recorder(expecting: message.count)
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), tls: try TLSFixtures.client(),
                on: loops[1], handler: recorder)
            #expect(try await onLoop(loops[1]) { channel.tlsSession?.negotiatedApplicationProtocol } == "http/1.1")
            loops[1].execute { channel.write(header: Array(message[..<10]), payload: Array(message[10...])) }
            #expect(try await recorder.bytesSignal.value() == message)
            // The server's closeAfterFlush sends close_notify: an orderly EOF here.
            try await recorder.eofSignal.value()
            #expect(try await recorder.inactive.value() == nil)
        }
    }

    /// `write(contentsOf:)` over TLS: small chunks share records with the chunk after them;
    /// the bytes arrive in order whatever the mix (empty, small, large, pairs, a trailing one).
    @Test func chunkListsThroughTLSArriveInOrder() async throws {
        try await withLoops(2) { loops in
            let chunks = [10, 70_000, 0, 3, 20_000, 16_384, 5, 0, 100_000, 7].enumerated().map { pattern($1, seed: $0) }
            let message = chunks.flatMap { $0 }
            let server = try tlsListener(on: loops[0]) { CountingEchoHandler(closingAfter: message.count) }
            defer { server.close() }
            let recorder = Recorder(expecting: message.count)
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), tls: try TLSFixtures.client(),
                on: loops[1], handler: recorder)
            loops[1].execute { channel.write(contentsOf: chunks) }
            #expect(try await recorder.bytesSignal.value() == message)
            try await recorder.eofSignal.value()
        }
    }

    @Test func tcpCloseWithoutCloseNotifyIsAnUncleanShutdown() async throws {
        let error = try await endingOfHandMadeServer(sendsCloseNotify: false, tolerant: false)
        #expect(error.inactive?.kind == .tlsUncleanShutdown)
        #expect(error.eofCount == 0)
        #expect(error.inactive?.description.contains("without close_notify") == true)
    }

    @Test func uncleanShutdownIsToleratedWhenAllowed() async throws {
        let result = try await endingOfHandMadeServer(sendsCloseNotify: false, tolerant: true)
        #expect(result.inactive == nil)
        #expect(result.eofCount == 1)
    }

    @Test func closeNotifyFromAnotherImplementationIsAnOrderlyEnd() async throws {
        let result = try await endingOfHandMadeServer(sendsCloseNotify: true, tolerant: false)
        #expect(result.inactive == nil)
        #expect(result.eofCount == 1)
    }

    private func endingOfHandMadeServer(sendsCloseNotify: Bool, tolerant: Bool) async throws -> (inactive: TransportError?, eofCount: Int) {
        try await withLoops(2) { loops in
            let context = try TLSFixtures.server()
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = try? HandMadeTLSServer(context: context, sendsCloseNotify: sendsCloseNotify)
            }
            defer { server.close() }
            let recorder = Recorder(expecting: 5)
            _ = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10),
                tls: try TLSFixtures.client { $0.allowsUncleanShutdown = tolerant }, on: loops[1], handler: recorder)
            #expect(try await recorder.bytesSignal.value() == Array("hello".utf8))
            let inactive = try await recorder.inactive.value()
            return (inactive, recorder.counts.withLock { $0.eof })
        }
    }

    /// Connects with `client`, exchanges one byte (so that the server's TLS 1.3 tickets, sent
    /// before the echo, are read) and closes: whether the handshake resumed a session.
    func resumedAfterEcho(port: Int, client: TLSContext, on loop: EventLoop) async throws -> Bool {
        let recorder = Recorder(expecting: 1)
        let channel = try await Channel.connect(
            host: "127.0.0.1", port: port, timeout: .seconds(10), tls: client, on: loop, handler: recorder)
        loop.execute { channel.write([7]) }
        #expect(try await recorder.bytesSignal.value() == [7])
        let resumed = try await onLoop(loop) { channel.tlsSession?.isResumed ?? false }
        loop.execute { channel.close() }
        _ = try await recorder.inactive.value()
        return resumed
    }

    /// Connects with `client` expecting a refusal: the error, or nil (and the channel closed)
    /// if the connect succeeded.
    func refusal(port: Int, client: TLSContext, on loop: EventLoop) async -> TransportError? {
        do throws(TransportError) {
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: port, timeout: .seconds(10), tls: client, on: loop, handler: Recorder())
            loop.execute { channel.close() }
            return nil
        } catch {
            return error
        }
    }

    /// Later connections with the same client context resume a session of an earlier one (one
    /// ticket each: the server sends new ones every time); with `resumesSessions` off, none does.
    @Test(arguments: [true, false])
    func laterConnectionsResumeASession(resumes: Bool) async throws {
        try await withLoops(2) { loops in
            let server = try tlsListener(on: loops[0]) { EchoHandler() }
            defer { server.close() }
            let client = try TLSFixtures.client { $0.resumesSessions = resumes }
            var resumed: [Bool] = []
            for _ in 0..<3 {
                resumed.append(try await resumedAfterEcho(port: server.localAddress.port, client: client, on: loops[1]))
            }
            #expect(resumed == (resumes ? [false, true, true] : [false, false, false]))
        }
    }

    /// A session from one server is no pass for another under the same name: the second server
    /// cannot accept it, so its certificate is verified in a full handshake (and refused here).
    @Test func aSessionOfOneServerDoesNotSkipAnothersVerification() async throws {
        try await withLoops(2) { loops in
            let good = try tlsListener(on: loops[0]) { EchoHandler() }
            defer { good.close() }
            let client = try TLSFixtures.client()
            #expect(try await resumedAfterEcho(port: good.localAddress.port, client: client, on: loops[1]) == false)
            let expired = try tlsListener(on: loops[0], identity: "expired") { EchoHandler() }
            defer { expired.close() }
            let error = await refusal(port: expired.localAddress.port, client: client, on: loops[1])
            guard case .certificate(let failure)? = error?.kind else {
                Issue.record("a cached session let an expired certificate through: \(String(describing: error))")
                return
            }
            #expect(failure.reason == .expired)
            // The good server still resumes (the session offered to the other one was spent,
            // the first connection's second ticket is left).
            #expect(try await resumedAfterEcho(port: good.localAddress.port, client: client, on: loops[1]))
        }
    }

    @Test func refusedCertificateFailsTheConnect() async throws {
        try await withLoops(2) { loops in
            let server = try tlsListener(on: loops[0], identity: "expired") { EchoHandler() }
            defer { server.close() }
            let client = try TLSFixtures.client()
            let error = await refusal(port: server.localAddress.port, client: client, on: loops[1])
            guard let error, case .certificate(let failure) = error.kind else {
                Issue.record("connected with an expired certificate, or failed otherwise: \(String(describing: error))")
                return
            }
            #expect(failure.reason == .expired)
            #expect(error.endpoint == server.localAddress.description)
            #expect(error.description.contains("certificate has expired"), "\(error)")
        }
    }

    @Test func failedServerHandshakeReachesTheHandlerWithoutChannelActive() async throws {
        try await withLoops(2) { loops in
            let recorder = Recorder()
            let server = try tlsListener(on: loops[0]) { recorder }
            defer { server.close() }
            let client = Recorder()
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), on: loops[1], handler: client)
            loops[1].execute { channel.write(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
            let error = try await recorder.inactive.value()
            guard case .tls = error?.kind else { Issue.record("\(String(describing: error))"); return }
            #expect(recorder.counts.withLock { $0.active } == 0)
        }
    }

    @Test func peerThatDoesNotSpeakTLSGetsAHint() async throws {
        try await withLoops(2) { loops in
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = ReplyingHandler("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            }
            defer { server.close() }
            let client = try TLSFixtures.client()
            do throws(TransportError) {
                _ = try await Channel.connect(
                    host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), tls: client,
                    on: loops[1], handler: Recorder())
                Issue.record("a TLS handshake with a plain HTTP server succeeded")
            } catch {
                guard case .tls = error.kind else { Issue.record("\(error)"); return }
                #expect(error.description.contains("ws:// vs wss://"), "\(error)")
            }
        }
    }

    @Test func silentPeerHitsTheConnectTimeoutDuringTheHandshake() async throws {
        try await withLoops(2) { loops in
            let server = try Listener.bind(host: "127.0.0.1", port: 0, on: loops[0]) { channel in
                channel.handler = Recorder()
            }
            defer { server.close() }
            let start = ContinuousClock.now
            await #expect(throws: TransportError(.connectTimeout, endpoint: "127.0.0.1:\(server.localAddress.port)")) {
                _ = try await Channel.connect(
                    host: "127.0.0.1", port: server.localAddress.port, timeout: .milliseconds(300),
                    tls: try TLSFixtures.client(), on: loops[1], handler: Recorder())
            }
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    /// A recorder's `onRead` that disables reads at the first read and calls `resume` on the
    /// loop 100 ms later (which enables them again, at once or later).
    static func pausingReadsAtTheFirstRead(_ resume: @escaping @Sendable (Channel) -> Void) -> @Sendable (Channel, [UInt8]) -> Void {
        let paused = Locked(false)
        return { channel, _ in
            let first = paused.withLock { wasPaused in
                defer { wasPaused = true }
                return !wasPaused
            }
            guard first else { return }
            channel.isReadEnabled = false
            channel.loop.scheduleTask(in: .milliseconds(100)) { resume(channel) }
        }
    }

    @Test func plaintextBufferedInTheSessionIsDeliveredWhenReadsResume() async throws {
        try await withLoops(2) { loops in
            // Three records in one TCP write, read by the client in one go.
            let message = pattern(40_000, seed: 3)
            let server = try tlsListener(on: loops[0]) { SendOnceHandler(message) }
            defer { server.close() }
            // Stop after the first record: the rest is already decrypted or buffered in the
            // session, and the socket has nothing more to report.
            let recorder = Recorder(expecting: message.count, onRead: Self.pausingReadsAtTheFirstRead { channel in
                channel.isReadEnabled = true
            })
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), tls: try TLSFixtures.client(),
                on: loops[1], handler: recorder)
            loops[1].execute { channel.write([1]) }
            #expect(try await recorder.bytesSignal.value() == message)
            loops[1].execute { channel.close() }
            #expect(try await recorder.inactive.value() == nil)
        }
    }

    /// The peer's last records and its `close_notify` can wait in the session while reads are
    /// paused, its FIN in the socket. Reads resumed in a turn's last round of tasks let the
    /// next poll report the FIN before the queued drain of the session ran: the TCP EOF must
    /// not be judged (an unclean shutdown, the plaintext lost) before what the session holds.
    @Test func aTCPEOFWaitsForWhatTheSessionStillHolds() async throws {
        try await withLoops(2) { loops in
            let message = pattern(40_000, seed: 5)
            let server = try tlsListener(on: loops[0]) { SendOnceHandler(message, closes: true) }
            defer { server.close() }
            let recorder = Recorder(expecting: message.count, onRead: Self.pausingReadsAtTheFirstRead { channel in
                // Resume in the last round of the turn's tasks (EventLoop.taskRoundsPerTurn).
                let loop = channel.loop
                loop.execute { loop.execute { loop.execute { loop.execute { channel.isReadEnabled = true } } } }
            })
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), tls: try TLSFixtures.client(),
                on: loops[1], handler: recorder)
            loops[1].execute { channel.write([1]) }
            let inactive = try await recorder.inactive.value()
            #expect(inactive == nil, "\(String(describing: inactive))")
            let received = recorder.bytes
            #expect(received == message, "\(received.count) of \(message.count) bytes")
            #expect(recorder.counts.withLock { $0.eof } == 1)
            _ = channel
        }
    }
}
