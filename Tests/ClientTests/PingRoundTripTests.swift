import Testing
import WebSocketClient
import WebSocketCore
@testable import WebSocketDriver
import WebSocketFraming

/// RFC 6455 §5.5.2-5.5.3: a ping that waits for its pong, and the latency it measures.
@Suite("RFC 6455 §5.5.3 Ping round trips", .serialized, .timeLimit(.minutes(1)))
struct PingRoundTripTests {
    func configuration() -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(20)
        configuration.closeTimeout = .milliseconds(300)
        return configuration
    }

    func invalidState(_ error: any Error) -> Bool {
        guard let error = error as? WebSocketError, case .connection(let failure) = error.kind,
              case .invalidState = failure.kind else { return false }
        return true
    }

    @Test func aPingReturnsItsRoundTripAndSetsTheLatency() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/echo"), configuration: configuration())
        #expect(ws.latency == nil)
        let roundTrip = try await ws.pingRoundTrip()
        #expect(roundTrip > .zero && roundTrip < .seconds(20))
        #expect(ws.latency.map { $0 - roundTrip < .microseconds(1) && roundTrip - $0 < .microseconds(1) } == true)
        async let first = ws.pingRoundTrip(Array("one".utf8))
        async let second = ws.pingRoundTrip(Array("two".utf8))
        async let third = ws.pingRoundTrip()
        let all = try await [first, second, third]
        #expect(all.allSatisfy { $0 > .zero })
        try await ws.close()
    }

    @Test func thePayloadIsAtMost125Bytes() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/echo"), configuration: configuration())
        await #expect(throws: WebSocketError.self) { try await ws.pingRoundTrip([UInt8](repeating: 1, count: 126)) }
        try await ws.close()
    }

    /// The peer answers only the second of two pings: the pong answers both.
    @Test func aPongAnswersEveryEarlierPingToo() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/pong-latest"), configuration: configuration())
        let early = Task { try await ws.pingRoundTrip(Array("early".utf8)) }
        while !(await pingSent(ws)) { try await Task.sleep(for: .milliseconds(10)) }
        let late = try await ws.pingRoundTrip(Array("late".utf8))
        let earlier = try await early.value
        #expect(earlier >= late)
        #expect(ws.latency.map { $0 - late < .microseconds(1) && late - $0 < .microseconds(1) } == true)
        _ = try? await ws.close()
    }

    /// Whether `ws` sent its first ping (it has one waiting).
    func pingSent(_ ws: WebSocket) async -> Bool {
        (try? await ws.onLoop { $0.pendingPings.count > 0 }) ?? false
    }

    @Test func twoWaitsForTheSamePayloadAreRefused() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration())
        let first = Task { try await ws.pingRoundTrip(Array("same".utf8)) }
        let second = Task { try await ws.pingRoundTrip(Array("same".utf8)) }
        var refused = 0
        for task in [first, second] {
            do {
                _ = try await withThrowingTaskGroup(of: Duration.self) { group in
                    group.addTask { try await task.value }
                    group.addTask { try await Task.sleep(for: .seconds(1)); task.cancel(); throw CancellationError() }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
            } catch {
                if invalidState(error) { refused += 1 }
            }
        }
        #expect(refused == 1)
        first.cancel()
        second.cancel()
        _ = try? await ws.close()
    }

    @Test func cancellingTheTaskEndsTheWait() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration())
        let waiting = Task { try await ws.pingRoundTrip() }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(ws.latency == nil)
        _ = try? await ws.close()
    }

    @Test func theConnectionsEndEndsTheWait() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration())
        let waiting = Task { try await ws.pingRoundTrip() }
        try await Task.sleep(for: .milliseconds(100))
        _ = try? await ws.close()  // the silent peer never answers: the close timeout ends it
        do {
            _ = try await waiting.value
            Issue.record("a pong came from a silent peer")
        } catch let error as WebSocketError {
            guard case .closed = error.kind else { Issue.record("\(error)"); return }
        }
    }

    @Test func keepalivePingsMeasureTheLatency() async throws {
        var configuration = configuration()
        configuration.pingInterval = .milliseconds(50)
        let ws = try await WebSocket.connect(to: try PythonPeer.url("/echo"), configuration: configuration)
        let deadline = ContinuousClock.now + .seconds(20)
        while ws.latency == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(ws.latency != nil)
        try await ws.close()
    }
}
