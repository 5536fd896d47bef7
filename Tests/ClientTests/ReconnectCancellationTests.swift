import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketTestSupport

/// `WebSocket.connections(to:)`'s `next()` cancelled while it closes the previous connection.
@Suite("Reconnecting client: cancellation", .timeLimit(.minutes(10)))
struct ReconnectCancellationTests {
    /// The previous connection's peer never answers the Close (a vanished server), and the
    /// close timeout is 600 s: cancelling `next()` drops the connection and throws at once
    /// instead of waiting for it. The bound leaves room for a machine that resumes the test's
    /// tasks late (ThreadSanitizer's runs stalled tasks ~100 s).
    @Test func cancellingWhileThePreviousConnectionClosesEndsAtOnce() async throws {
        var configuration = WebSocket.Configuration()
        configuration.closeTimeout = .seconds(600)
        configuration.pingInterval = nil
        var policy = WebSocket.Reconnection()
        policy.jitter = false
        let url = try PythonPeer.rawURL("/silent")
        let first = Locked<WebSocket?>(nil)
        let task = Task {
            var iterator = WebSocket.connections(to: url, configuration: configuration, reconnection: policy)
                .makeAsyncIterator()
            let ws = try await iterator.next()
            first.withLock { $0 = ws }
            return try await iterator.next()  // closes the first: its peer never answers
        }
        var waited = 0
        while first.withLock({ $0 }) == nil && waited < 3000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        let ws = try #require(first.withLock { $0 }, "the first connection never opened")
        try await Task.sleep(for: .milliseconds(200))  // next() is in the closing handshake now
        let cancelledAt = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(300))
        let info = await ws.closed()
        #expect(!info.wasClean, "dropped, not closed by a handshake the peer never answered")
    }
}
