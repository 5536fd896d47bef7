import WebSocketCore
public import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport

extension WebSocket {
    /// When and how often ``connections(to:headers:configuration:reconnection:loop:)`` tries
    /// again: exponential backoff with jitter between failed attempts, for the failures that
    /// may pass (``isTransient(_:)``).
    ///
    /// The waits follow python-websockets' reconnecting `connect` and the AWS architecture
    /// blog's "equal jitter": after `n` failures in a row the next attempt waits a random time
    /// between half of and the whole of `initialDelay × multiplierⁿ⁻¹`, at most `maxDelay`, so
    /// that clients a server dropped together do not all come back in the same instant.
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
        /// How many attempts in a row may fail before the sequence throws the last failure;
        /// nil: no limit (only a failure that ``shouldRetry`` refuses ends it). Default nil.
        public var maxAttempts: Int?
        /// A connection that closes sooner than this after it opened counts as a failure for
        /// the backoff, so that a server that accepts and drops at once is not hammered; one
        /// that lasted longer resets the backoff. Default 10 s.
        public var stableAfter: Duration = .seconds(10)
        /// Which failures are worth another attempt. Default ``isTransient(_:)``.
        public var shouldRetry: @Sendable (any Error) -> Bool = Reconnection.isTransient

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
            return .nanoseconds(Int64(min(seconds, limit) * 1e9))
        }

        /// ``delay(afterFailures:)`` with the jitter applied when ``jitter`` is on.
        func wait(afterFailures failures: Int) -> Duration {
            let full = delay(afterFailures: failures)
            guard jitter else { return full }
            return full * Double.random(in: 0.5...1)
        }

        /// Whether `error`, from a connect, may pass: the server or the network is down,
        /// restarting or busy. True for a refused, reset or timed-out connect, a name that did
        /// not resolve (the service may not be registered yet), other socket errors
        /// (unreachable networks, a Unix socket not created yet), a connection closed during the
        /// opening handshake, and a server or proxy answering 408, 425, 429, 500, 502, 503 or
        /// 504 (a SOCKS proxy: general failure, unreachable, refused, TTL expired). False for what
        /// another attempt would meet again: an invalid URL, a refused certificate or TLS
        /// handshake, any other HTTP refusal (401, 403, 404…), a proxy refusing credentials,
        /// a broken handshake, the event loop shut down, and cancellation.
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
            case .connectTimeout, .connectionRefused, .connectionReset, .closed, .resolution, .system, .tlsUncleanShutdown:
                true
            case .proxyRefused(let status, _):
                transientStatuses.contains(status)
            case .socksRefused(let reply, _):
                [1, 3, 4, 5, 6].contains(reply)  // RFC 1928 §6
            case .addressInUse, .eventLoopShutdown, .cancelled, .certificate, .tls, .tlsConfiguration, .proxy,
                 .socksAuthenticationFailed:
                false
            }
        }

        /// A `Retry-After` in seconds (RFC 9110 §10.2.3) on a refusal, if it has one; the
        /// HTTP-date form is not read.
        static func retryAfter(_ error: any Error) -> Duration? {
            guard let response = (error as? WebSocketError)?.response,
                  let value = response.headers.first("Retry-After"), let seconds = Int(value), seconds >= 0 else {
                return nil
            }
            return .seconds(seconds)
        }

        private static func seconds(_ duration: Duration) -> Double {
            let (seconds, attoseconds) = duration.components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
    }
}
