import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport
import WebSocketTransport

/// RFC 6455 §4.1: "If the status code received from the server is not 101, the client handles
/// the response per HTTP [RFC2616] procedures. In particular, the client might perform
/// authentication if it receives a 401 status code; the server might redirect the client using
/// a 3xx status code (but clients are not required to follow them)".
@Suite("RFC 6455 §4.1 Responses other than 101: redirects, challenges", .timeLimit(.minutes(1)))
struct RedirectTests {
    /// The requests a server saw: target and headers.
    typealias Seen = Locked<[(target: String, headers: HTTPHeaders)]>

    /// A server that answers every upgrade with `decide`, and echoes on the connections it
    /// accepts; `seen` records each request.
    static func server(
        seen: Seen = Seen([]), tls: Bool = false, _ decide: @escaping @Sendable (String) -> UpgradeDecision
    ) throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        if tls { configuration.tls = try TLSCertificates.server() }
        return try WebSocketServer.start(configuration: configuration, shouldUpgrade: { upgrade in
            seen.withLock { $0.append((upgrade.request.target, upgrade.request.headers)) }
            return decide(upgrade.request.target)
        }) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
        }
    }

    static func redirect(_ status: Int = 302, to location: String) -> UpgradeDecision {
        var headers = HTTPHeaders()
        headers.append(name: "Location", value: location)
        return .reject(status: status, headers: headers)
    }

    /// A client that follows `redirects`, with time for all of them under a sanitizer's load
    /// (the open timeout covers every hop; a TSan run in CI took over 10 s for two).
    static func following(_ redirects: Int) -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.maxRedirects = redirects
        configuration.openTimeout = .seconds(60)
        return configuration
    }

    static func credentials() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.append(name: "Authorization", value: "Bearer secret")
        headers.append(name: "Cookie", value: "session=1")
        headers.append(name: "X-Trace", value: "t1")
        return headers
    }

    @Test func aRedirectIsNotFollowedByDefaultAndItsResponseIsReported() async throws {
        let server = try Self.server { _ in Self.redirect(to: "/elsewhere") }
        do {
            _ = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/chat", configuration: Self.following(0))
            Issue.record("connected through a redirect")
        } catch let error as WebSocketError {
            guard case .connection(let failure) = error.kind, case .handshake(let handshake) = failure.kind else {
                Issue.record("\(error)"); return
            }
            #expect(handshake.kind == .unexpectedStatus(302))
            #expect(error.response?.status == 302)
            #expect(error.response?.headers.first("Location") == "/elsewhere")
        }
        await server.shutdown()
    }

    @Test func anAuthenticationChallengeReachesTheApplication() async throws {
        let server = try Self.server { _ in
            var headers = HTTPHeaders()
            headers.append(name: "WWW-Authenticate", value: #"Bearer realm="chat""#)
            return .reject(status: 401, headers: headers)
        }
        do {
            _ = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: Self.following(0))
            Issue.record("connected without credentials")
        } catch let error as WebSocketError {
            #expect(error.response?.status == 401)
            #expect(error.response?.headers.first("WWW-Authenticate") == #"Bearer realm="chat""#)
        }
        await server.shutdown()
    }

    /// Another origin (port): the request follows, without the credentials.
    @Test func aRedirectToAnotherOriginIsFollowedWithoutCredentials() async throws {
        let seenByTarget = Seen([])
        let target = try Self.server(seen: seenByTarget) { _ in .accept() }
        let origin = try Self.server { _ in Self.redirect(308, to: "ws://127.0.0.1:\(target.port)/new?x=1") }
        let configuration = Self.following(1)
        let ws = try await WebSocket.connect(
            to: "ws://127.0.0.1:\(origin.port)/old", headers: Self.credentials(), configuration: configuration)
        try await ws.send(text: "through")
        #expect(try await ws.receive() == .text("through"))
        try await ws.close()
        let seen = try #require(seenByTarget.withLock { $0 }.first)
        #expect(seen.target == "/new?x=1")
        #expect(!seen.headers.contains("Authorization") && !seen.headers.contains("Cookie"))
        #expect(seen.headers.first("X-Trace") == "t1")
        await origin.shutdown()
        await target.shutdown()
    }

    /// The URL's user information goes as `Authorization: Basic` (RFC 7617), unless the
    /// request has its own; like other credentials it stays on the same origin and is not
    /// sent to another after a redirect.
    @Test func theURLsUserInformationIsBasicAuthorization() async throws {
        let seenByTarget = Seen([])
        let target = try Self.server(seen: seenByTarget) { _ in .accept() }
        let seen = Seen([])
        let origin = try Self.server(seen: seen) { path in
            path == "/away" ? Self.redirect(to: "ws://127.0.0.1:\(target.port)/there")
                : path == "/chat" ? Self.redirect(to: "/chat/2") : .accept()
        }
        let ws = try await WebSocket.connect(
            to: "ws://alice:s%40cret@127.0.0.1:\(origin.port)/chat", configuration: Self.following(1))
        try await ws.close()
        let basic = "Basic " + Base64.encode(Array("alice:s@cret".utf8))
        #expect(seen.withLock { $0.map { $0.headers.first("Authorization") } } == [basic, basic])

        var own = HTTPHeaders()
        own.append(name: "Authorization", value: "Bearer mine")
        let explicit = try await WebSocket.connect(
            to: "ws://alice:s%40cret@127.0.0.1:\(origin.port)/b", headers: own, configuration: Self.following(0))
        try await explicit.close()
        #expect(seen.withLock { $0.last?.headers.values(for: "Authorization") } == ["Bearer mine"])

        let moved = try await WebSocket.connect(
            to: "ws://alice:s%40cret@127.0.0.1:\(origin.port)/away", configuration: Self.following(1))
        try await moved.close()
        #expect(seen.withLock { $0.last?.headers.first("Authorization") } == basic)
        #expect(seenByTarget.withLock { $0.first?.headers.contains("Authorization") } == false)
        await origin.shutdown()
        await target.shutdown()
    }

    /// The same origin, a relative `Location`: the credentials stay.
    @Test func aRelativeRedirectOnTheSameOriginKeepsTheCredentials() async throws {
        let seen = Seen([])
        let server = try Self.server(seen: seen) { target in
            target == "/chat/old" ? Self.redirect(307, to: "new?room=2") : .accept()
        }
        let configuration = Self.following(2)
        let ws = try await WebSocket.connect(
            to: "ws://127.0.0.1:\(server.port)/chat/old", headers: Self.credentials(), configuration: configuration)
        try await ws.close()
        let requests = seen.withLock { $0 }
        #expect(requests.map(\.target) == ["/chat/old", "/chat/new?room=2"])
        #expect(requests.last?.headers.first("Authorization") == "Bearer secret")
        #expect(requests.last?.headers.first("Cookie") == "session=1")
        await server.shutdown()
    }

    /// A server that redirects to itself: `maxRedirects` follows, then the redirect is the error.
    @Test func aRedirectLoopStopsAtTheLimit() async throws {
        let seen = Seen([])
        let server = try Self.server(seen: seen) { _ in Self.redirect(to: "/again") }
        let configuration = Self.following(3)
        do {
            _ = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
            Issue.record("connected through a redirect loop")
        } catch let error as WebSocketError {
            #expect(error.response?.status == 302, "\(error)")
        }
        #expect(seen.withLock { $0.count } == 4)
        await server.shutdown()
    }

    /// `wss://` to `ws://` would put the request, and the messages, in the clear.
    @Test func aRedirectFromWSSToWSIsRefused() async throws {
        let seenInTheClear = Seen([])
        let plain = try Self.server(seen: seenInTheClear) { _ in .accept() }
        let secure = try Self.server(tls: true) { _ in Self.redirect(to: "ws://127.0.0.1:\(plain.port)/") }
        var configuration = Self.following(5)
        configuration.tls = TLSCertificates.client().tls
        do {
            _ = try await SuiteLoop.connect(to: "wss://127.0.0.1:\(secure.port)/", configuration: configuration)
            Issue.record("followed a redirect to ws://")
        } catch let error as WebSocketError {
            guard case .insecureRedirect(let message) = error.kind else { Issue.record("\(error)"); return }
            #expect(message.contains("ws://127.0.0.1:\(plain.port)/"), "\(message)")
            #expect(error.response?.status == 302)
        }
        #expect(seenInTheClear.withLock { $0.isEmpty })
        await secure.shutdown()
        await plain.shutdown()
    }

    @Test func aLocationThatIsNoWebSocketURLIsAClearError() async throws {
        let server = try Self.server { _ in Self.redirect(to: "ftp://127.0.0.1/") }
        let configuration = Self.following(1)
        do {
            _ = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/", configuration: configuration)
            Issue.record("connected")
        } catch let error as WebSocketError {
            guard case .invalidURL(let message) = error.kind else { Issue.record("\(error)"); return }
            #expect(message.contains("ftp://127.0.0.1/"))
        }
        await server.shutdown()
    }
}
