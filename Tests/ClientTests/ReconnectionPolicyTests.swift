#if canImport(Glibc)
import Glibc
#endif
import Testing
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport
@testable import WebSocketClient

/// `WebSocket.Reconnection`: the backoff schedule and which failures are tried again.
@Suite("Reconnection policy")
struct ReconnectionPolicyTests {
    private func refusal(_ status: Int, _ headers: HTTPHeaders = HTTPHeaders()) -> WebSocketError {
        WebSocketError(
            .connection(ConnectionError(.upgradeRejected(status: status))),
            response: HTTPResponseHead(status: status, reason: "", headers: headers))
    }

    private func transport(_ kind: TransportError.Kind) -> WebSocketError {
        WebSocketError(.transport(TransportError(kind)))
    }

    @Test func delaysGrowAndStopAtTheMaximum() {
        var policy = WebSocket.Reconnection()
        #expect((1...8).map { policy.delay(afterFailures: $0) }
                == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(policy.delay(afterFailures: 0) == .seconds(1))
        #expect(policy.delay(afterFailures: 10_000) == .seconds(60), "no overflow however long the streak")
        policy.initialDelay = .milliseconds(100)
        policy.multiplier = 1.5
        #expect(policy.delay(afterFailures: 3) == .milliseconds(225))
        policy.multiplier = 0.5
        #expect(policy.delay(afterFailures: 3) == .milliseconds(100), "a multiplier under 1 counts as 1")
    }

    @Test func jitterStaysInTheUpperHalf() {
        var policy = WebSocket.Reconnection()
        let waits = (0..<200).map { _ in policy.wait(afterFailures: 3) }
        #expect(waits.allSatisfy { $0 >= .seconds(2) && $0 <= .seconds(4) })
        #expect(Set(waits).count > 1, "the waits vary")
        policy.jitter = false
        #expect(policy.wait(afterFailures: 3) == .seconds(4))
    }

    @Test func transientFailuresAreTriedAgain() {
        for kind: TransportError.Kind in [
            .connectionRefused, .connectTimeout, .connectionReset, .closed, .tlsUncleanShutdown,
            .resolution(host: "app", message: "no address"), .system(call: "connect", errno: .noSuchFile),
            .proxyRefused(status: 502, reason: "Bad Gateway"), .socksRefused(reply: 5, reason: "refused"),
        ] {
            #expect(WebSocket.Reconnection.isTransient(transport(kind)), "\(kind)")
        }
        for hangUp in [TransportError.closedDuringTLSHandshake] {
            #expect(WebSocket.Reconnection.isTransient(transport(.tls(reason: hangUp))))
        }
        for hangUp in [TransportError.httpProxyClosedEarly, TransportError.socksProxyClosedBeforeMethod,
                       TransportError.socksProxyClosedBeforeReply] {
            #expect(WebSocket.Reconnection.isTransient(transport(.proxy(hangUp))), "\(hangUp)")
        }
        #expect(WebSocket.Reconnection.isTransient(WebSocketError(.connection(ConnectionError(.openTimeout)))))
        #expect(WebSocket.Reconnection.isTransient(WebSocketError(.connection(ConnectionError(.abnormalClosure)))))
        for status in [408, 425, 429, 500, 502, 503, 504] {
            #expect(WebSocket.Reconnection.isTransient(refusal(status)), "\(status)")
        }
    }

    @Test func otherFailuresEndTheSequence() {
        for kind: TransportError.Kind in [
            .tls(reason: "handshake failure"), .tlsConfiguration("no such file"), .eventLoopShutdown, .cancelled,
            .addressInUse, .proxy("malformed answer"), .proxyRefused(status: 407, reason: "Proxy Authentication Required"),
            .socksRefused(reply: 2, reason: "not allowed"), .socksAuthenticationFailed("rejected"),
            .proxy(TransportError.socksProxyClosedDuringAuthentication),
            .system(call: "connect", errno: Errno(rawValue: EACCES)), .system(call: "connect", errno: Errno(rawValue: EPERM)),
        ] {
            #expect(!WebSocket.Reconnection.isTransient(transport(kind)), "\(kind)")
        }
        for status in [301, 400, 401, 403, 404, 426, 501] {
            #expect(!WebSocket.Reconnection.isTransient(refusal(status)), "\(status)")
        }
        #expect(!WebSocket.Reconnection.isTransient(WebSocketError(.invalidURL("ftp://x"))))
        #expect(!WebSocket.Reconnection.isTransient(CancellationError()))
    }

    @Test func aRetryAfterLongerThanTheBackoffIsWaitedUpToItsCap() {
        var policy = WebSocket.Reconnection()
        policy.jitter = false
        policy.maxRetryAfter = .seconds(120)
        #expect(policy.wait(after: refusal(503, ["Retry-After": "30"]), failures: 1) == .seconds(30))
        #expect(policy.wait(after: refusal(503, ["Retry-After": "3600"]), failures: 1) == .seconds(120))
        #expect(policy.wait(after: refusal(503, ["Retry-After": "0"]), failures: 3) == .seconds(4), "never shorter than the backoff")
        #expect(policy.wait(after: refusal(503), failures: 2) == .seconds(2))
        policy.maxDelay = .seconds(Int64.max)
        #expect(policy.delay(afterFailures: 200) > .seconds(1_000_000), "no cap, and no overflow")
    }

    @Test func retryAfterInSecondsIsRead() {
        #expect(WebSocket.Reconnection.retryAfter(refusal(503, ["Retry-After": "7"])) == .seconds(7))
        #expect(WebSocket.Reconnection.retryAfter(refusal(503, ["Retry-After": "99999999999999999999"])) == .seconds(Int.max),
                "too large for an Int: the longest wait, not none")
        var policy = WebSocket.Reconnection()
        policy.jitter = false
        #expect(policy.wait(after: refusal(503, ["Retry-After": "99999999999999999999"]), failures: 1) == policy.maxRetryAfter)
        #expect(WebSocket.Reconnection.retryAfter(refusal(503, ["Retry-After": ""])) == nil)
        #expect(WebSocket.Reconnection.retryAfter(refusal(503, ["Retry-After": "-5"])) == nil)
        #expect(WebSocket.Reconnection.retryAfter(refusal(503, ["Retry-After": "soon"])) == nil)
        #expect(WebSocket.Reconnection.retryAfter(refusal(503)) == nil)
        #expect(WebSocket.Reconnection.retryAfter(transport(.connectionRefused)) == nil)
    }

    /// RFC 9110 §10.2.3: `Retry-After: HTTP-date`, counted from the response's `Date` when it
    /// has one (a client whose clock is an hour off still waits the 2 minutes meant).
    @Test func retryAfterAsADateIsRead() throws {
        let now = try #require(HTTPDate("Sat, 28 Nov 2026 09:00:00 GMT"))
        func asked(_ headers: HTTPHeaders) -> Duration? {
            WebSocket.Reconnection.retryAfter(refusal(503, headers), now: now)
        }
        #expect(asked(["Retry-After": "Sat, 28 Nov 2026 09:02:00 GMT"]) == .seconds(120))
        #expect(asked(["Retry-After": "Sat, 28 Nov 2026 10:02:00 GMT", "Date": "Sat, 28 Nov 2026 10:00:00 GMT"]) == .seconds(120))
        #expect(asked(["Retry-After": "Saturday, 28-Nov-26 09:00:30 GMT"]) == .seconds(30))
        #expect(asked(["Retry-After": "Sat Nov 28 09:00:45 2026"]) == .seconds(45))
        #expect(asked(["Retry-After": "Fri, 31 Dec 1999 23:59:59 GMT"]) == .zero, "a date past asks for no wait")
        #expect(asked(["Retry-After": "Sat, 28 Nov 2026 09:02:00 GMT", "Date": "garbage"]) == .seconds(120))
        #expect(asked(["Retry-After": "Sat, 31 Nov 2026 09:02:00 GMT"]) == nil, "November has 30 days")
        var policy = WebSocket.Reconnection()
        policy.jitter = false
        let far = HTTPDate(secondsSince1970: HTTPDate.now.secondsSince1970 + 3600)
        #expect(policy.wait(after: refusal(503, ["Retry-After": far.description]), failures: 1) == policy.maxRetryAfter)
    }
}
