public import WebSocketDriver
public import WebSocketHandshake
public import WebSocketTransport

extension WebSocket {
    /// Connections to `url`, one after another, for a client that stays connected: each
    /// iteration connects (trying again after failures that may pass, with backoff), and the
    /// next iteration connects again once the application is done with the last connection.
    ///
    /// ```swift
    /// for try await ws in WebSocket.connections(to: "wss://feed.example/prices") {
    ///     do {
    ///         for try await message in ws.messages { handle(message) }
    ///     } catch {
    ///         log("connection lost: \(error)")   // the next iteration reconnects
    ///     }
    /// }
    /// ```
    ///
    /// A connection the loop's body left open is closed (1000) when the next one is asked for;
    /// the last one, after a `break`, is the caller's to close. Failures of the connect that
    /// ``Reconnection/shouldRetry`` accepts (by default ``Reconnection/isTransient(_:)``: refused,
    /// reset or timed-out connects, 5xx and 429 answers…) are tried again after a wait that
    /// grows with each failure in a row (a `Retry-After` in seconds is honoured, up to
    /// ``Reconnection/maxDelay``); any other failure, ``Reconnection/maxAttempts`` failures in a
    /// row, or cancellation ends the sequence by throwing. It never ends without an error.
    /// - Parameters:
    ///   - url: a `ws://` or `wss://` URL.
    ///   - headers: request headers for every connect.
    ///   - configuration: the configuration of every connection (its `openTimeout` bounds each
    ///     attempt).
    ///   - reconnection: the backoff and which failures to try again after.
    ///   - loop: the event loop to run on; a shared loop by default.
    public static func connections(
        to url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        configuration: Configuration = Configuration(),
        reconnection: Reconnection = Reconnection(),
        loop: EventLoop? = nil
    ) -> Connections {
        Connections(url: url, headers: headers, configuration: configuration, reconnection: reconnection, loop: loop)
    }

    /// The connections of ``connections(to:headers:configuration:reconnection:loop:)``.
    public struct Connections: AsyncSequence, Sendable {
        public typealias Element = WebSocket
        public typealias Failure = any Error

        let url: String
        let headers: HTTPHeaders
        let configuration: Configuration
        let reconnection: Reconnection
        let loop: EventLoop?

        /// An iterator that connects on each `next()`.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(connections: self)
        }

        /// Connects on each ``next()``, after closing the previous connection.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let connections: Connections
            /// The connection handed out last, and when.
            var previous: (socket: WebSocket, openedAt: ContinuousClock.Instant)?
            /// Failures in a row so far (a connection shorter than `stableAfter` counts).
            var failures = 0

            /// The next open connection.
            /// - Throws: the connect's failure that is not tried again (``WebSocketError``), or
            ///   `CancellationError`.
            public mutating func next() async throws -> WebSocket? {
                let policy = connections.reconnection
                if let (socket, openedAt) = previous {
                    previous = nil
                    _ = try? await socket.close()
                    failures = ContinuousClock.now - openedAt < policy.stableAfter ? failures + 1 : 0
                    // A connection that did not last is a failure: the wait comes before the attempt.
                    if failures > 0 { try await Task.sleep(for: policy.wait(afterFailures: failures)) }
                }
                var attempts = 0
                while true {
                    try Task.checkCancellation()
                    do {
                        let socket = try await WebSocket.connect(
                            to: connections.url, headers: connections.headers,
                            configuration: connections.configuration, loop: connections.loop)
                        previous = (socket, ContinuousClock.now)
                        return socket
                    } catch {
                        attempts += 1
                        failures += 1
                        guard policy.shouldRetry(error), policy.maxAttempts.map({ attempts < $0 }) ?? true else {
                            throw error
                        }
                        var wait = policy.wait(afterFailures: failures)
                        if let asked = Reconnection.retryAfter(error) { wait = Swift.max(wait, Swift.min(asked, policy.maxDelay)) }
                        try await Task.sleep(for: wait)
                    }
                }
            }
        }
    }
}
