import Foundation
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// `handleMessages`: a synchronous handler on the loop with borrowed payloads, both roles.
@Suite("Synchronous message handlers (handleMessages, sendNow)", .timeLimit(.minutes(1)))
struct MessageHandlerTests {
    /// What a handler saw, outside the handler.
    final class Seen: Sendable {
        private let state = Locked<(messages: [Message], onLoop: Bool, end: String?)>(([], true, nil))
        func add(_ message: Message, onLoop: Bool) { state.withLock { $0.messages.append(message); $0.onLoop = $0.onLoop && onLoop } }
        func end(_ how: String) { state.withLock { $0.end = how } }
        var messages: [Message] { state.withLock { $0.messages } }
        var allOnLoop: Bool { state.withLock { $0.onLoop } }
        var ending: String? { state.withLock { $0.end } }
        func waitForEnd() async -> String? {
            let deadline = ContinuousClock.now + .seconds(10)
            while ending == nil && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            return ending
        }
    }

    /// An echo server built on `handleMessages`; `seen` records every message and the ending.
    static func handlerEchoServer(seen: Seen, delay: Duration = .zero, failOn: String? = nil) throws -> WebSocketServer {
        try WebSocketServer.start(configuration: WebSocketServer.Configuration()) { ws in
            if delay > .zero { try? await Task.sleep(for: delay) }
            do {
                try await ws.handleMessages { message in
                    seen.add(message.message, onLoop: ws.loop.inEventLoop)
                    if let failOn, message.text == failOn { throw HandlerFailure() }
                    try ws.sendNow(message)
                }
                seen.end("returned")
            } catch is HandlerFailure {
                seen.end("handler error")
            } catch {
                seen.end("\(error)")
            }
        }
    }

    struct HandlerFailure: Error {}

    /// Without compression the payloads are handed out in place; with permessage-deflate they
    /// are inflated first (the same handler, one allocation per message).
    @Test(arguments: [false, true])
    func echoesEveryKindOfMessageInOrder(compression: Bool) async throws {
        let seen = Seen()
        let server = try Self.handlerEchoServer(seen: seen)
        var configuration = WebSocket.Configuration()
        if !compression { configuration.compression = nil }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        #expect(ws.openInfo?.extensions.isEmpty == !compression)
        let big = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }  // spans many reads
        try await ws.send(text: "héllo")
        try await ws.send(binary: [1, 2, 3])
        try await ws.sendFragment(Array("frag".utf8), opcode: .text, isFinal: false)
        try await ws.ping([5])
        try await ws.sendFragment(Array("ment".utf8), opcode: .continuation, isFinal: true)
        try await ws.send(binary: big)
        try await ws.send(binary: [])
        for _ in 0..<200 { try await ws.send(text: "burst") }
        #expect(try await ws.receive() == .text("héllo"))
        #expect(try await ws.receive() == .binary([1, 2, 3]))
        #expect(try await ws.receive() == .text("fragment"))
        #expect(try await ws.receive()?.data == big)
        #expect(try await ws.receive() == .binary([]))
        for _ in 0..<200 { #expect(try await ws.receive() == .text("burst")) }
        let info = try await ws.close()
        #expect(info.code == .normalClosure && info.wasClean)
        #expect(await seen.waitForEnd() == "returned")
        #expect(seen.messages.count == 205)
        #expect(seen.allOnLoop, "the handler runs on the connection's loop")
        await server.shutdown()
    }

    /// Messages that arrived before `handleMessages` was called are handled first, in order.
    @Test(arguments: [false, true])
    func messagesQueuedBeforeTheHandlerComeFirst(compression: Bool) async throws {
        let seen = Seen()
        let server = try Self.handlerEchoServer(seen: seen, delay: .milliseconds(300))
        var configuration = WebSocket.Configuration()
        if !compression { configuration.compression = nil }
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        for index in 0..<40 { try await ws.send(text: "\(index)") }
        for index in 0..<40 { let got = try await ws.receive(); #expect(got == .text("\(index)"), "\(String(describing: got))") }
        try await ws.close()
        await server.shutdown()
    }

    /// A throwing handler closes with 1011; `handleMessages` rethrows its error.
    @Test func aThrowingHandlerClosesWith1011() async throws {
        let seen = Seen()
        let server = try Self.handlerEchoServer(seen: seen, failOn: "boom")
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        try await ws.send(text: "fine")
        #expect(try await ws.receive() == .text("fine"))
        try await ws.send(text: "boom")
        try? await ws.send(text: "after")  // may meet the 1011 already
        let info = await ws.closed()
        #expect(info.code == .internalError)
        #expect(await seen.waitForEnd() == "handler error")
        #expect(seen.messages.map(\.text) == ["fine", "boom"], "nothing after the failure reaches the handler")
        await server.shutdown()
    }

    /// After a throwing handler, nobody takes messages: those the peer sends before it reads our
    /// 1011 are dropped, not queued for `messages` (frames over 256 KiB are decoded into arrays
    /// and reported as events, which went to the queue until the closing handshake ended).
    @Test func aThrowingHandlerQueuesNothingWhileClosing() async throws {
        let serverSide = Locked<WebSocket?>(nil)
        let server = try WebSocketServer.start(configuration: WebSocketServer.Configuration()) { ws in
            serverSide.withLock { $0 = ws }
            try? await ws.handleMessages { message in
                if message.text == "boom" { throw HandlerFailure() }
            }
        }
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        configuration.closeTimeout = .seconds(3)  // a server that stops reading fails fast
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        try await ws.send(text: "boom")
        let big = [UInt8](repeating: 7, count: 300 * 1024)
        for _ in 0..<20 { try? await ws.send(.binary(big)) }
        let info = await ws.closed()
        #expect(info.code == .internalError)
        let queued = try #require(serverSide.withLock { $0 }).queuedMessageCount
        #expect(queued == 0, "\(queued) messages queued after the handler failed")
        await server.shutdown()
    }

    /// A peer's invalid UTF-8 still fails the connection with 1007 on the in-place path (the
    /// frame arrives whole in one read, after the handler is in place), and `handleMessages`
    /// throws as `messages` would.
    @Test func invalidUTF8FromThePeerFailsWith1007() async throws {
        let seen = Seen()
        let server = try Self.handlerEchoServer(seen: seen)
        let request = Array(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
        let response = try await RawClient.exchange(
            port: server.port, bytes: request, later: Wire.frame(0x1, [0x61, 0xED, 0xA0, 0x80], masked: true),
            delay: .milliseconds(300), waitForClose: true)
        // The 101, then a close frame with 1007 (0x03EF).
        #expect(response.starts(with: Array("HTTP/1.1 101".utf8)))
        let headEnd = try #require(response.firstRange(of: Array("\r\n\r\n".utf8))).upperBound
        let frame = Array(response[headEnd...])
        #expect(frame.count >= 4 && frame[0] == 0x88 && frame[2] == 0x03 && frame[3] == 0xEF, "\(frame)")
        let ending = await seen.waitForEnd()
        #expect(ending?.contains("1007") == true || ending?.lowercased().contains("utf-8") == true, "\(ending ?? "nil")")
        #expect(seen.messages.isEmpty)
        await server.shutdown()
    }

    /// The client role masks what `sendNow` sends; the handler can run from a task off the loop.
    @Test func aClientHandlesMessagesInPlaceToo() async throws {
        let server = try ClientServerTests.echoServer()
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        let seen = Seen()
        let handling = Task {
            try await ws.handleMessages { message in
                seen.add(message.message, onLoop: ws.loop.inEventLoop)
                if message.text == "3" { try ws.sendNow(.text("stop"), allowsCompression: false) }
                else if let text = message.text, let number = Int(text) { try ws.sendNow(.text("\(number + 1)")) }
            }
        }
        try await ws.send(text: "0")
        let deadline = ContinuousClock.now + .seconds(10)
        while seen.messages.count < 5 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(seen.messages.map(\.text) == ["0", "1", "2", "3", "stop"])
        #expect(seen.allOnLoop)
        try await ws.close()
        try await handling.value
        await server.shutdown()
    }

    /// Cancelling the task in `handleMessages` removes the handler and ends the call with
    /// `CancellationError`; later messages go to `receive()` again, with its read-ahead. A task
    /// cancelled before it calls `handleMessages` ends at once. Before, the call waited for
    /// the connection to close.
    @Test func cancellingTheTaskEndsHandlingAndMessagesQueueAgain() async throws {
        let server = try ClientServerTests.echoServer()
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        for precancelled in [false, true] {
            let seen = Seen()
            let handling = Task {
                if precancelled { while !Task.isCancelled { await Task.yield() } }
                do {
                    try await ws.handleMessages { message in seen.add(message.message, onLoop: ws.loop.inEventLoop) }
                    seen.end("returned")
                } catch is CancellationError {
                    seen.end("cancelled")
                } catch {
                    seen.end("\(error)")
                }
            }
            if !precancelled {
                try await ws.send(text: "handled")
                let deadline = ContinuousClock.now + .seconds(10)
                while seen.messages.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(seen.messages == [.text("handled")])
            }
            handling.cancel()
            #expect(await seen.waitForEnd() == "cancelled", "precancelled: \(precancelled)")
            // 300 messages: more than the read-ahead, so the credit must flow again.
            for index in 0..<300 { try await ws.send(text: "queued \(index)") }
            for index in 0..<300 { #expect(try await ws.receive() == .text("queued \(index)")) }
            #expect(seen.messages.count == (precancelled ? 0 : 1))
        }
        let info = try await ws.close()
        #expect(info.wasClean)
        await server.shutdown()
    }

    /// Memory sized for a burst (200 KB echoes gathered across reads, the write buffer that
    /// sent them) is kept while messages flow and released once the connection has read
    /// nothing for `idleMemoryReleaseDelay`; messages flow as before afterwards.
    @Test func burstMemoryIsReleasedOnceTheConnectionGoesQuiet() async throws {
        let server = try ClientServerTests.echoServer()
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        // Long enough that no gap between reads reaches it while the echoes flow, even under
        // the sanitizers with every suite running at once on two cores (with 1 s the memory
        // was once released mid-burst in a CI run under the address sanitizer).
        configuration.idleMemoryReleaseDelay = .seconds(4)
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
        let received = Locked(0)
        let handling = Task {
            try await ws.handleMessages { message in
                #expect(message.bytes.count == 200_000 && message.bytes.allSatisfy { $0 == 5 })
                received.withLock { $0 += 1 }
            }
        }
        func echo(_ count: Int) async throws {
            for _ in 0..<count { try await ws.send(binary: [UInt8](repeating: 5, count: 200_000)) }
            let deadline = ContinuousClock.now + .seconds(10)
            while received.withLock({ $0 }) < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            received.withLock { $0 = 0 }
        }
        try await echo(3)
        #expect(await ws.holdsBurstMemory(), "kept right after the burst")
        let deadline = ContinuousClock.now + .seconds(20)
        while await ws.holdsBurstMemory(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await ws.holdsBurstMemory() == false, "released once quiet")
        try await echo(2)
        try await ws.close()
        try await handling.value
        await server.shutdown()
    }

    /// A peer that sends without reading: `sendNow` never waits, so the socket must stop being
    /// read once the output passes the high-water mark, or the echoes would pile up in memory.
    @Test func aPeerThatDoesNotReadIsNotReadEither() async throws {
        let state = Locked((handled: 0, mostPending: 0))
        var configuration = WebSocketServer.Configuration()
        configuration.connection.closeTimeout = .milliseconds(500)
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            try? await ws.handleMessages { message in
                try ws.sendNow(message)
                let pending = ws.pendingOutputOnLoop
                state.withLock { $0.handled += 1; $0.mostPending = max($0.mostPending, pending.channel + pending.connection) }
            }
        }
        var clientConfiguration = WebSocket.Configuration()
        clientConfiguration.closeTimeout = .milliseconds(500)
        clientConfiguration.compression = nil  // what goes over the wire is what piles up
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: clientConfiguration)
        let payload = (0..<64 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let total = 4096
        // 256 MiB of echoes owed, far beyond the kernel's socket buffers (up to 32 + 4 MiB each
        // way on loopback here); the client reads none
        // (its read-ahead stops its own socket reads).
        let sender = Task {
            for _ in 0..<total { try await ws.send(binary: payload) }
        }
        // Until the server stops taking messages (or has taken them all).
        var last = -1
        var still = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while still < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let handled = state.withLock { $0.handled }
            if handled == total { break }
            still = handled == last ? still + 1 : 0
            last = handled
        }
        let (handled, most) = state.withLock { ($0.handled, $0.mostPending) }
        let highWaterMark = WebSocket.Configuration().writeHighWaterMark
        // At most one read's worth of echoes beyond the mark (the read in progress), plus the
        // frame that read completed.
        let bound = highWaterMark + EventLoop.readBufferSize + 64 * 1024 + 1024
        #expect(handled < total, "the server read everything a non-reading peer sent")
        #expect(most > 0 && most <= bound, "server output reached \(most) bytes (bound \(bound)) after \(handled) messages")
        sender.cancel()
        await server.shutdown()
        _ = try? await sender.value
    }

    @Test func sendNowOffTheLoopIsRefused() async throws {
        let server = try ClientServerTests.echoServer()
        let ws = try await WebSocket.connect(to: "ws://127.0.0.1:\(server.port)/")
        #expect(throws: WebSocketError.self) { try ws.sendNow(.text("x")) }
        try await ws.close()
        await server.shutdown()
    }
}
