import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport

/// `WebSocketServer.start(plainHTTP:)`: health checks and other plain requests on the
/// WebSocket port, over real TCP.
@Suite("Server: plain HTTP requests")
struct PlainHTTPTests {
    /// The server's open timeout is long: under the sanitizers, with the 1000-connection test
    /// running, a client's request took over the default 10 s to arrive.
    private static func server(
        seen: Locked<[PlainRequest]> = Locked([]), _ configure: (inout WebSocketServer.Configuration) -> Void = { _ in }
    ) throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.openTimeout = .seconds(60)
        configure(&configuration)
        return try WebSocketServer.start(configuration: configuration, plainHTTP: { request in
            seen.withLock { $0.append(request) }
            switch request.request.path {
            case "/health": return .text("ok\n")
            case "/big": return PlainResponse(body: Self.bigBody)
            case "/teapot": return PlainResponse(status: 418, headers: ["X-Evil": "a\r\nInjected: yes", "X-Fine": "1"])
            default: return .text("not found\n", status: 404)
            }
        }) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
        }
    }

    static let bigBody = [UInt8](repeating: UInt8(ascii: "b"), count: 16 << 20)

    /// A 16 MiB answer, more than the sockets hold, arrives whole to a client that reads only
    /// after sending more bytes (which the server never reads as a request). Whether the close
    /// lingers is checked in the Core (`PlainHTTPCoreTests`): on loopback this server reads the
    /// late bytes while it flushes, so they never reset the connection either way.
    @Test func aLargeAnswerArrivesWholeDespiteLateBytes() async throws {
        let server = try Self.server()
        let response = try await RawClient.exchange(
            port: server.port, bytes: Array("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".utf8),
            later: Array("GET /again HTTP/1.1\r\n".utf8), delay: .milliseconds(20), waitForClose: true)
        let head = "HTTP/1.1 200 OK\r\nContent-Length: \(Self.bigBody.count)\r\nConnection: close\r\n\r\n"
        #expect(response.count == head.utf8.count + Self.bigBody.count)
        #expect(response.starts(with: Array(head.utf8)))
        await server.shutdown()
    }

    @Test func aHealthCheckGetsTheHooksAnswer() async throws {
        let seen = Locked<[PlainRequest]>([])
        let server = try Self.server(seen: seen)
        let response = try await RawClient.exchange(
            port: server.port, request: "GET /health?deep=1 HTTP/1.1\r\nHost: svc\r\nUser-Agent: kube-probe/1.31\r\n\r\n",
            waitForClose: true)
        #expect(response == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
        let request = try #require(seen.withLock { $0.first })
        #expect(request.request.method == "GET")
        #expect(request.request.query == "deep=1")
        #expect(request.request.headers.first("User-Agent") == "kube-probe/1.31")
        #expect(request.remoteAddress?.hasPrefix("127.0.0.1:") == true)
        await server.shutdown()
    }

    /// HAProxy's default check: HTTP/1.0, no Host.
    @Test func http10AndHeadAreAnswered() async throws {
        let server = try Self.server()
        let options = try await RawClient.exchange(port: server.port, request: "OPTIONS /health HTTP/1.0\r\n\r\n", waitForClose: true)
        #expect(options.hasPrefix("HTTP/1.1 200 OK\r\n") && options.hasSuffix("\r\n\r\nok\n"), "\(options)")
        let head = try await RawClient.exchange(port: server.port, request: "HEAD /nope HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: true)
        #expect(head == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\nConnection: close\r\n\r\n")
        await server.shutdown()
    }

    @Test func headerInjectionInTheAnswerIsDropped() async throws {
        let server = try Self.server()
        let response = try await RawClient.exchange(port: server.port, request: "GET /teapot HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: true)
        #expect(response.hasPrefix("HTTP/1.1 418 \r\n"), "\(response)")
        #expect(response.contains("X-Fine: 1\r\n"))
        #expect(!response.contains("Injected"))
        #expect(!response.contains("X-Evil"))
        await server.shutdown()
    }

    /// The hook does not run for a request with a body; the 413 arrives whole while the body
    /// keeps coming after it.
    @Test func aBodyGets413EvenWhileItArrives() async throws {
        let seen = Locked<[PlainRequest]>([])
        let server = try Self.server(seen: seen)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 256 * 1024)
        let response = try await RawClient.exchange(
            port: server.port, bytes: Array("POST /health HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n".utf8),
            later: body, waitForClose: true)
        #expect(String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 413 Content Too Large\r\n"))
        #expect(seen.withLock { $0.isEmpty })
        await server.shutdown()
    }

    /// A head over the limit gets its 431 and then the server's EOF, though the client is still
    /// sending: the server reads and drops the rest until the client closes (a lingering
    /// close), where closing with a MiB unread would have reset the connection under the 431.
    @Test func anOversizedHeadGets431AndThenEOF() async throws {
        let server = try Self.server()
        let head = "GET /chat HTTP/1.1\r\nHost: a\r\nX-Big: "
        // The MiB's send blocks until the server has read most of it: not on a pool thread.
        let port = server.port
        let fd = try await onThread {
            try RawClient.open(port: port, sending: Array(head.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20))
        }
        let (reply, atEOF) = await RawClient.readUntilEOF(fd)
        RawClient.close(fd)
        #expect(String(decoding: reply.prefix(12), as: UTF8.self) == "HTTP/1.1 431", "\(reply.count) bytes")
        #expect(atEOF, "the server half-closed after its answer, rather than resetting the connection")
        await server.shutdown()
    }

    @Test func webSocketsStillOpenOnTheSamePort() async throws {
        let server = try Self.server()
        var configuration = WebSocket.Configuration()
        configuration.openTimeout = .seconds(60)
        let ws = try await SuiteLoop.connect(to: "ws://127.0.0.1:\(server.port)/health", configuration: configuration)
        try await ws.send(text: "hi")
        #expect(try await ws.receive() == .text("hi"))
        try await ws.close()
        // A broken upgrade is not a plain request: the RFC's answer, not the hook's.
        let broken = try await RawClient.exchange(
            port: server.port,
            request: "GET /health HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
            waitForClose: true)
        #expect(broken.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(broken)")
        await server.shutdown()
    }

    /// Python's `http.client` over TLS (a health checker probing `https://`): the TLS
    /// handshake, then the hook's answer, then a close, reported (`onEvent`) as an answered
    /// request whatever the client's TLS did at its close.
    @Test func aHealthCheckOverTLS() async throws {
        let recorder = ServerEventTests.Recorder()
        let server = try Self.server {
            $0.tls = try? TLSCertificates.server()
            $0.onEvent = { recorder.record($0) }
        }
        let script = """
            import http.client, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[2])
            connection = http.client.HTTPSConnection("localhost", int(sys.argv[1]), context=context, timeout=30)
            connection.request("GET", "/health")
            response = connection.getresponse()
            print(response.status, response.getheader("Connection"), response.read().decode(), end="")
            """
        let result = try await PeerProcess.run("python3", ["-c", script, String(server.port), TLSCertificates.path("ca.pem")])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "200 close ok\n", "\(result.output)")
        let events = try await ServerEventTests.events(recorder, count: 1, of: server)
        guard events.count == 1, case .answeredPlainRequest(status: 200) = events[0].kind else {
            Issue.record("\(events)")
            return
        }
    }

    @Test func answeredConnectionsLeaveTheRegistry() async throws {
        let server = try Self.server()
        for _ in 0..<20 {
            _ = try await RawClient.exchange(port: server.port, request: "GET /health HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: true)
        }
        var waited = 0
        while server.connectionCount > 0 && waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(server.connectionCount == 0)
        await server.shutdown()
    }
}
