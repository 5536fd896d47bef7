import Testing
import WebSocketClient
import WebSocketCore
@testable import WebSocketDriver
import WebSocketFraming
import WebSocketTransport

/// RFC 6455 §5.5.2-5.5.3: a ping that waits for its pong, and the latency it measures.
@Suite("RFC 6455 §5.5.3 Ping round trips", .serialized, .timeLimit(.minutes(1)))
struct PingRoundTripTests {
    func configuration() -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(20)
        configuration.closeTimeout = .milliseconds(300)
        configuration.pingInterval = nil  // no keepalive ping among the tests' own
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
        while !(await pingSent(ws)) { try await Task.sleep(for: .milliseconds(10)) }
        do {
            _ = try await ws.pingRoundTrip(Array("same".utf8))
            Issue.record("a second wait for the same payload")
        } catch {
            #expect(invalidState(error), "\(error)")
        }
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        _ = try? await ws.close()
    }

    /// The peer answers only the second ping, a plain `ping(_:)`: its pong answers the first.
    @Test func aPlainPingsPongAnswersAnEarlierRoundTrip() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/pong-latest"), configuration: configuration())
        let waiting = Task { try await ws.pingRoundTrip(Array("early".utf8)) }
        while !(await pingSent(ws)) { try await Task.sleep(for: .milliseconds(10)) }
        try await ws.ping(Array("plain".utf8))
        #expect(try await waiting.value > .zero)
        _ = try? await ws.close()
    }

    @Test func cancellingTheTaskEndsTheWait() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration())
        let waiting = Task { try await ws.pingRoundTrip() }
        while !(await pingSent(ws)) { try await Task.sleep(for: .milliseconds(10)) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(ws.latency == nil)
        #expect(try await ws.onLoop { $0.pendingPings.isEmpty })
        _ = try? await ws.close()
    }

    /// A silent peer: the timeout ends the wait, the ping is forgotten and its timer gone, and
    /// the connection stays open for the caller to decide.
    @Test func aTimeoutEndsTheWaitAndLeavesTheConnectionOpen() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration())
        do {
            _ = try await ws.pingRoundTrip(timeout: .milliseconds(50))
            Issue.record("a pong came from a silent peer")
        } catch let error as WebSocketError {
            guard case .pongTimeout(let timeout) = error.kind else { Issue.record("\(error)"); return }
            #expect(timeout == .milliseconds(50))
            #expect(error.description == "no pong within 0.05 seconds")
        }
        #expect(try await ws.onLoop { $0.pendingPings.isEmpty })
        #expect(ws.latency == nil)
        try await ws.send(text: "still open")
        _ = try? await ws.close()
    }

    /// An answered ping's timer is cancelled, not left to fire into the loop's timer heap
    /// (the peer answers only the later plain ping, whose pong answers the waiting one too).
    @Test func anAnsweredPingsTimerIsCancelled() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/pong-latest"), configuration: configuration())
        let waiting = Task { try await ws.pingRoundTrip(Array("early".utf8), timeout: .seconds(30)) }
        while !(await pingSent(ws)) { try await Task.sleep(for: .milliseconds(10)) }
        let timer = try #require(try await ws.onLoop { $0.pendingPings.first?.deadline })
        #expect(!timer.isDone)
        try await ws.ping(Array("plain".utf8))
        let roundTrip = try await waiting.value
        #expect(roundTrip > .zero && roundTrip < .seconds(30))
        #expect(timer.isDone)
        _ = try? await ws.close()
    }

    @Test func theConnectionsEndEndsTheWait() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration())
        let waiting = Task { try await ws.pingRoundTrip() }
        while !(await pingSent(ws)) { try await Task.sleep(for: .milliseconds(10)) }
        _ = try? await ws.close()  // the silent peer never answers: the close timeout ends it
        do {
            _ = try await waiting.value
            Issue.record("a pong came from a silent peer")
        } catch let error as WebSocketError {
            guard case .closed = error.kind else { Issue.record("\(error)"); return }
        }
    }

    /// A peer that never answers the keepalive (here: silent; in an attack, sending pongs of
    /// its own, which keep the connection alive) leaves at most four of its pings remembered.
    @Test func unansweredKeepalivePingsAreNotKeptForever() async throws {
        var configuration = configuration()
        configuration.pingInterval = .milliseconds(5)
        configuration.pingTimeout = .seconds(30)
        let ws = try await WebSocket.connect(to: try PythonPeer.rawURL("/silent"), configuration: configuration)
        var sent: UInt64 = 0
        while sent < 20 {
            try await Task.sleep(for: .milliseconds(20))
            sent = try await ws.onLoop { $0.pingNumber }
        }
        let remembered = try await ws.onLoop { $0.pendingPings.count }
        #expect(remembered == WebSocket.maxUnansweredKeepalivePings, "\(sent) pings sent")
        _ = try? await ws.close()
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
