#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import WebSocketCore
public import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport

extension WebSocket {
    /// When and how often ``connections(to:headers:configuration:reconnection:loop:)`` tries
    /// again: exponential backoff with jitter between failed attempts, for the failures that
    /// may pass (``isTransient(_:)``).
    ///
    /// Exponential backoff with "equal jitter" (the AWS architecture blog's name): after `n`
    /// failures in a row the next attempt waits a random time between half of and the whole
    /// of `initialDelay × multiplierⁿ⁻¹`, at most `maxDelay`, so that clients a server dropped
    /// together, and that failed to reconnect together, do not all come back in the same
    /// instant. (python-websockets' reconnecting `connect` retries the same kinds of failure
    /// with a different schedule: a random first wait up to 5 s, then 3.1 s growing ×1.618 up
    /// to 90 s.) A connection that ends after it was stable is followed by a new connect at
    /// once, as there.
    public struct Reconnection: Sendable {
        /// The wait after the first failure. Default 1 s.
        public var initialDelay: Duration = .seconds(1)
        /// Each further failure in a row multiplies the wait by this (at least 1). Default 2.
        public var multiplier: Double = 2
        /// The longest wait. Default 60 s.
        public var maxDelay: Duration = .seconds(60)
        /// Whether waits are drawn at random from the upper half of the computed delay.
        /// Default true; false waits the computed delay exactly.
        public var jitter: Bool = true
        /// How many connects in a row one `next()` may see fail before it throws the last
        /// failure (values under 1 count as 1); nil: no limit (only a failure that
        /// ``shouldRetry`` refuses ends it). Connections that open and then close early do not
        /// count here, only in the backoff (``stableAfter``). Default nil.
        public var maxAttempts: Int?
        /// A connection whose transport closed sooner than this after it opened counts as a
        /// failure for the backoff, so that a server that accepts and drops at once is not
        /// hammered; one that lasted longer, or that was still open when the next connection
        /// was asked for (the application ended it), resets the backoff. Default 10 s.
        public var stableAfter: Duration = .seconds(10)
        /// The longest `Retry-After` honoured (a 429 or 503 asking for an hour waits this);
        /// waits shorter than the backoff's are not shortened. Default 10 minutes.
        public var maxRetryAfter: Duration = .seconds(600)
        /// Which failures are worth another attempt. Default ``isTransient(_:)``.
        public var shouldRetry: @Sendable (any Error) -> Bool = Reconnection.isTransient
        /// Called before each wait with the failure, the failures in a row so far and the wait:
        /// for logging. Default nil.
        public var onRetry: (@Sendable (_ error: any Error, _ failures: Int, _ wait: Duration) -> Void)?

        /// The default policy.
        public init() {}

        /// The wait before the next attempt after `failures` failures in a row (at least 1),
        /// before jitter: `initialDelay × multiplier^(failures − 1)`, at most `maxDelay`.
        public func delay(afterFailures failures: Int) -> Duration {
            let limit = max(0, Self.seconds(maxDelay))
            var seconds = max(0, Self.seconds(initialDelay))
            for _ in 1..<max(1, failures) where seconds < limit {
                seconds *= max(1, multiplier)
            }
            // Clamped so that a `maxDelay` of centuries (no cap) does not overflow Int64.
            return .nanoseconds(Int64(min(seconds, limit, 9e9) * 1e9))
        }

        /// ``delay(afterFailures:)`` with the jitter applied when ``jitter`` is on.
        func wait(afterFailures failures: Int) -> Duration {
            let full = delay(afterFailures: failures)
            guard jitter else { return full }
            return full * Double.random(in: 0.5...1)
        }

        /// The wait after `error`, the `failures`-th in a row: the backoff's, or a longer
        /// `Retry-After` (at most ``maxRetryAfter``, plus up to ``initialDelay`` of jitter so
        /// that the clients it was sent to do not return together).
        func wait(after error: any Error, failures: Int) -> Duration {
            let backoff = wait(afterFailures: failures)
            guard let asked = Self.retryAfter(error), asked > backoff else { return backoff }
            let spread = jitter ? initialDelay * Double.random(in: 0...1) : .zero
            return Swift.min(asked, maxRetryAfter) + spread
        }

        /// Whether `error`, from a connect, may pass: the server or the network is down,
        /// restarting or busy. True for a refused, reset or timed-out connect, a name that did
        /// not resolve (the service may not be registered yet), other socket errors
        /// (unreachable networks, a Unix socket not created yet; not `EACCES` or `EPERM`), a
        /// connection closed during the TLS handshake, before a proxy answered, or during the
        /// opening handshake, and a server or proxy answering 408, 425, 429, 500, 502, 503 or
        /// 504 (a SOCKS proxy: general failure, unreachable, refused, TTL expired). False for
        /// what another attempt would meet again: an invalid URL, a refused certificate or a
        /// failed TLS handshake, any other HTTP status (401, 403, 404, 501…), a proxy refusing
        /// credentials, a broken handshake, the event loop shut down, and cancellation.
        public static func isTransient(_ error: any Error) -> Bool {
            guard let error = error as? WebSocketError else { return false }
            if let status = error.response?.status { return transientStatuses.contains(status) }
            switch error.kind {
            case .transport(let transport): return isTransient(transport)
            case .connection(let connection):
                return connection.kind == .openTimeout || connection.kind == .abnormalClosure
            case .invalidURL, .insecureRedirect, .closed, .pongTimeout: return false
            }
        }

        /// The HTTP statuses worth another attempt (RFC 9110 §15.5.9, §15.6; RFC 6585 §4; RFC 8470 §5.2).
        static let transientStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504]

        private static func isTransient(_ error: TransportError) -> Bool {
            switch error.kind {
            case .connectTimeout, .connectionRefused, .connectionReset, .closed, .resolution, .tlsUncleanShutdown:
                true
            case .system(_, let errno):
                errno.rawValue != EACCES && errno.rawValue != EPERM
            case .proxyRefused(let status, _):
                transientStatuses.contains(status)
            case .socksRefused(let reply, _):
                [1, 3, 4, 5, 6].contains(reply)  // RFC 1928 §6
            case .tls, .proxy:
                error.isPeerHangUpDuringSetup
            case .addressInUse, .eventLoopShutdown, .cancelled, .certificate, .tlsConfiguration, .socksAuthenticationFailed:
                false
            }
        }

        /// The wait a refusal's `Retry-After` asks for (RFC 9110 §10.2.3), if it has one:
        /// `delay-seconds`, or an HTTP-date counted from the response's own `Date` when it has
        /// one (the server's clock against the server's clock, so that a client whose clock is
        /// off still waits what was meant), else from this machine's clock; a date in the
        /// past asks for no wait.
        static func retryAfter(_ error: any Error, now: HTTPDate = HTTPDate.now) -> Duration? {
            guard let response = (error as? WebSocketError)?.response,
                  let value = response.headers.first("Retry-After") else { return nil }
            if !value.isEmpty, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
                // Too large for an Int: a very long wait (RFC 9111 §1.2.2 reads an overflowing
                // delta-seconds as the greatest value), which `maxRetryAfter` caps.
                return .seconds(Int(value) ?? .max)
            }
            guard let date = HTTPDate(value, now: now) else { return nil }
            let sent = response.headers.first("Date").flatMap { HTTPDate($0, now: now) } ?? now
            return .seconds(max(0, date.secondsSince1970 - sent.secondsSince1970))
        }

        private static func seconds(_ duration: Duration) -> Double {
            let (seconds, attoseconds) = duration.components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
    }
}

extension HTTPDate {
    /// This machine's clock (`CLOCK_REALTIME`), to the second.
    static var now: HTTPDate {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return HTTPDate(secondsSince1970: Int64(time.tv_sec))
    }
}
