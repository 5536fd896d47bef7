import Foundation
import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// `WebSocket.connections(to:)` against our server: reconnects, backoff, what ends it.
@Suite("Reconnecting client", .timeLimit(.minutes(10)))
struct ReconnectTests {
    /// A policy with short waits and no jitter.
    static func quick(_ configure: (inout WebSocket.Reconnection) -> Void = { _ in }) -> WebSocket.Reconnection {
        var policy = WebSocket.Reconnection()
        policy.initialDelay = .milliseconds(10)
        policy.jitter = false
        policy.stableAfter = .zero
        configure(&policy)
        return policy
    }

    /// A server whose upgrade decision is `decide(n)` for the n-th request (from 1), and whose
    /// handler sends "hello n", waits `hold` (nil: until the client closes) and returns, which
    /// closes the connection.
    static func server(
        at path: String? = nil, hold: Duration? = .zero,
        decide: @escaping @Sendable (Int) -> UpgradeDecision = { _ in .accept() }
    ) throws -> (WebSocketServer, Locked<Int>) {
        let requests = Locked(0)
        var configuration = WebSocketServer.Configuration()
        configuration.unixSocketPath = path
        let server = try WebSocketServer.start(configuration: configuration, shouldUpgrade: { _ in
            decide(requests.withLock { $0 += 1; return $0 })
        }) { ws in
            try? await ws.send(text: "hello \(requests.withLock { $0 })")
            if let hold {
                try? await Task.sleep(for: hold)
            } else {
                _ = await ws.closed()
            }
        }
        return (server, requests)
    }

    @Test func aDroppedConnectionIsFollowedByANewOne() async throws {
        let (server, requests) = try Self.server()
        var greetings: [String] = []
        for try await ws in WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: Self.quick()) {
            for try await message in ws.messages { greetings.append(message.text ?? "") }
            if greetings.count == 3 { break }
        }
        #expect(greetings == ["hello 1", "hello 2", "hello 3"])
        #expect(requests.withLock { $0 } == 3)
        await server.shutdown()
    }

    /// Nothing listens at the Unix socket's path yet (ENOENT, then a server): the sequence
    /// waits and tries again until it is there.
    @Test func aServerThatIsNotUpYetIsWaitedFor() async throws {
        let path = UnixSocketServerTests.freshPath()
        var configuration = WebSocket.Configuration()
        configuration.unixSocketPath = path
        let task = Task {
            var iterator = WebSocket.connections(to: "ws://localhost/", configuration: configuration, reconnection: Self.quick())
                .makeAsyncIterator()
            let ws = try await iterator.next()
            return try await ws?.receive()?.text
        }
        try await Task.sleep(for: .milliseconds(200))
        let (server, _) = try Self.server(at: path)
        #expect(try await task.value == "hello 1")
        await server.shutdown()
        UnixSocketServerTests.removeLock(path)
    }

    @Test func aBusyServerIsTriedAgainAndARefusalIsNot() async throws {
        let (busy, busyRequests) = try Self.server { $0 <= 2 ? .reject(status: 503) : .accept() }
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(busy.port)/", reconnection: Self.quick()).makeAsyncIterator()
        let ws = try #require(try await iterator.next())
        #expect(try await ws.receive()?.text == "hello 3")
        #expect(busyRequests.withLock { $0 } == 3)
        await busy.shutdown()

        let (refusing, refusedRequests) = try Self.server { _ in .reject(status: 403) }
        var refused = WebSocket.connections(to: "ws://127.0.0.1:\(refusing.port)/", reconnection: Self.quick()).makeAsyncIterator()
        do {
            _ = try await refused.next()
            Issue.record("a 403 gave a connection")
        } catch let error as WebSocketError {
            #expect(error.response?.status == 403)
        }
        #expect(refusedRequests.withLock { $0 } == 1, "a 403 is not asked again")
        await refusing.shutdown()
    }

    /// Headers made per connect: each attempt, the refused one included, carries a fresh
    /// token, and a 401 for an expired one (with `shouldRetry` accepting 401, as the API's
    /// documentation shows) is followed by a connect with the next.
    @Test func headersAreMadeAfreshForEveryConnect() async throws {
        let seen = Locked<[String]>([])
        let server = try WebSocketServer.start(shouldUpgrade: { upgrade in
            let token = upgrade.request.headers.first("Authorization") ?? "none"
            seen.withLock { $0.append(token) }
            return token == "Bearer 2" ? .reject(status: 401) : .accept()
        }) { ws in try? await ws.send(text: "hi") }
        let issued = Locked(0)
        let policy = Self.quick {
            $0.shouldRetry = { WebSocket.Reconnection.isTransient($0) || ($0 as? WebSocketError)?.response?.status == 401 }
        }
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: policy) {
            ["Authorization": "Bearer \(issued.withLock { $0 += 1; return $0 })"]
        }.makeAsyncIterator()
        for _ in 0..<2 {
            let ws = try #require(try await iterator.next())
            #expect(try await ws.receive()?.text == "hi")
        }
        #expect(seen.withLock { $0 } == ["Bearer 1", "Bearer 2", "Bearer 3"])
        await server.shutdown()
    }

    /// A failure to make the headers ends the sequence with it (the default `shouldRetry`
    /// tries again only after connect failures that may pass); nothing is sent.
    @Test func aFailureToMakeTheHeadersEndsTheSequence() async throws {
        struct NoToken: Error {}
        let (server, requests) = try Self.server()
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: Self.quick()) {
            () async throws -> HTTPHeaders in throw NoToken()
        }.makeAsyncIterator()
        await #expect(throws: NoToken.self) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
        #expect(requests.withLock { $0 } == 0)
        await server.shutdown()
    }

    /// A `Retry-After` longer than the backoff is waited out.
    @Test func retryAfterIsHonoured() async throws {
        let (server, _) = try Self.server { $0 == 1 ? .reject(status: 503, headers: ["Retry-After": "1"]) : .accept() }
        let start = ContinuousClock.now
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: Self.quick()).makeAsyncIterator()
        let ws = try #require(try await iterator.next())
        #expect(ContinuousClock.now - start >= .seconds(1))
        _ = try? await ws.close()
        await server.shutdown()
    }

    @Test func maxAttemptsEndsTheStreak() async throws {
        let (server, requests) = try Self.server { _ in .reject(status: 503) }
        var iterator = WebSocket.connections(
            to: "ws://127.0.0.1:\(server.port)/", reconnection: Self.quick { $0.maxAttempts = 3 }).makeAsyncIterator()
        do {
            _ = try await iterator.next()
            Issue.record("a 503 gave a connection")
        } catch let error as WebSocketError {
            #expect(error.response?.status == 503)
        }
        #expect(requests.withLock { $0 } == 3)
        #expect(try await iterator.next() == nil, "the sequence is over once it threw")
        #expect(requests.withLock { $0 } == 3)
        await server.shutdown()
    }

    /// A connection that lasted longer than `stableAfter` resets the backoff: the next connect
    /// comes at once, not after the 600 s a failure would cost (the bound leaves room for a
    /// machine that resumes this task late: ThreadSanitizer's runs stalled every test ~100 s).
    @Test func aStableConnectionResetsTheBackoff() async throws {
        let (server, _) = try Self.server(hold: .seconds(2))
        let policy = Self.quick {
            $0.initialDelay = .seconds(600)
            $0.stableAfter = .milliseconds(100)
        }
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: policy).makeAsyncIterator()
        let first = try #require(try await iterator.next())
        _ = await first.closed()
        let start = ContinuousClock.now
        let second = try #require(try await iterator.next())
        #expect(ContinuousClock.now - start < .seconds(300))
        #expect(try await second.receive()?.text == "hello 2")
        await server.shutdown()
    }

    /// A connection still open when the next is asked for was ended by the application: no
    /// backoff either, however short it was.
    @Test func aConnectionTheApplicationEndsIsNoFailure() async throws {
        let (server, requests) = try Self.server(hold: nil)
        let policy = Self.quick {
            $0.initialDelay = .seconds(600)
            $0.stableAfter = .seconds(600)
        }
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: policy).makeAsyncIterator()
        _ = try await iterator.next()
        let start = ContinuousClock.now
        _ = try await iterator.next()
        #expect(ContinuousClock.now - start < .seconds(300))
        #expect(requests.withLock { $0 } == 2)
        await server.shutdown()
    }

    /// Connections that close at once count as failures: the waits grow (100 ms, then 200 ms)
    /// instead of reconnecting in a tight loop.
    @Test func connectionsThatDoNotLastBackOff() async throws {
        let (server, _) = try Self.server()
        let policy = Self.quick {
            $0.initialDelay = .milliseconds(100)
            $0.stableAfter = .seconds(60)
        }
        var iterator = WebSocket.connections(to: "ws://127.0.0.1:\(server.port)/", reconnection: policy).makeAsyncIterator()
        _ = try await iterator.next()?.closed()
        let start = ContinuousClock.now
        _ = try await iterator.next()?.closed()
        _ = try await iterator.next()?.closed()
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        await server.shutdown()
    }

    /// Cancelled while it waits after a failure (signalled by `onRetry`), the sequence throws
    /// `CancellationError`.
    @Test func cancellingTheWaitEndsTheSequence() async throws {
        var configuration = WebSocket.Configuration()
        configuration.unixSocketPath = UnixSocketServerTests.freshPath()
        let waiting = AsyncStream.makeStream(of: Void.self)
        let policy = Self.quick {
            $0.initialDelay = .seconds(600)
            $0.onRetry = { _, _, _ in waiting.continuation.yield() }
        }
        let task = Task {
            var iterator = WebSocket.connections(to: "ws://localhost/", configuration: configuration, reconnection: policy)
                .makeAsyncIterator()
            _ = try await iterator.next()
        }
        var signals = waiting.stream.makeAsyncIterator()
        _ = await signals.next()
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
