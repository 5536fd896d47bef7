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
    /// reset or timed-out connects, 429 and 500/502/503/504 answers…) are tried again after a
    /// wait that grows with each failure in a row (a `Retry-After`, in seconds or as a date, is
    /// honoured up to ``Reconnection/maxRetryAfter``); any other failure, ``Reconnection/maxAttempts``
    /// failures in a row, or cancellation ends the sequence by throwing (and `next()` returns
    /// nil after that). Cancelling `next()` while it closes the previous connection drops
    /// that connection without waiting for the peer's Close.
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
        Connections(url: url, headers: { headers }, configuration: configuration, reconnection: reconnection, loop: loop)
    }

    /// ``connections(to:headers:configuration:reconnection:loop:)`` with request headers made
    /// afresh for every connect: a bearer token that expires, a signature carried in a header.
    ///
    /// ```swift
    /// let feed = WebSocket.connections(to: "wss://feed.example/prices") {
    ///     ["Authorization": "Bearer \(try await tokens.current())"]
    /// }
    /// for try await ws in feed { … }
    /// ```
    ///
    /// `headers` runs before each attempt, after its wait. Its failure goes through
    /// ``Reconnection/shouldRetry`` like a failed connect's (the default tries again only
    /// after ``WebSocketError``s that may pass, so any other error ends the sequence by
    /// throwing it). A server refusing an expired token with 401 ends the sequence too,
    /// unless `shouldRetry` accepts 401 (`{ Reconnection.isTransient($0) ||
    /// ($0 as? WebSocketError)?.response?.status == 401 }`): the next attempt then asks
    /// `headers` for a fresh one.
    /// - Parameters:
    ///   - url: a `ws://` or `wss://` URL.
    ///   - configuration: the configuration of every connection.
    ///   - reconnection: the backoff and which failures to try again after.
    ///   - loop: the event loop to run on; a shared loop by default.
    ///   - headers: the request headers of the next connect.
    public static func connections(
        to url: String,
        configuration: Configuration = Configuration(),
        reconnection: Reconnection = Reconnection(),
        loop: EventLoop? = nil,
        headers: @escaping @Sendable () async throws -> HTTPHeaders
    ) -> Connections {
        Connections(url: url, headers: headers, configuration: configuration, reconnection: reconnection, loop: loop)
    }

    /// The connections of ``connections(to:headers:configuration:reconnection:loop:)`` and its
    /// variant with headers made per connect.
    public struct Connections: AsyncSequence, Sendable {
        /// Each element is an open connection.
        public typealias Element = WebSocket
        /// A failed connect that is not tried again, or `CancellationError`.
        public typealias Failure = any Error

        let url: String
        let headers: @Sendable () async throws -> HTTPHeaders
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
            /// The connection handed out last.
            var previous: WebSocket?
            /// Failures in a row so far (a connection shorter than `stableAfter` counts).
            var failures = 0
            /// Set once `next()` threw: the sequence is over.
            var finished = false

            /// The next open connection; nil once a call threw.
            /// - Throws: the connect's failure that is not tried again (``WebSocketError``), or
            ///   `CancellationError` when the calling task is cancelled.
            public mutating func next() async throws -> WebSocket? {
                guard !finished else { return nil }
                do {
                    return try await connectAfterBackoff()
                } catch {
                    finished = true
                    if Task.isCancelled { throw CancellationError() }
                    throw error
                }
            }

            /// Closes the connection handed out before (1000, with its closing handshake), or
            /// drops it at once when the calling task is cancelled meanwhile: a peer that does
            /// not answer the Close would otherwise hold a cancelled `next()` for the close
            /// timeout.
            private static func close(_ socket: WebSocket) async {
                await withTaskCancellationHandler {
                    _ = try? await socket.close()
                } onCancel: {
                    socket.loop.execute { socket.forceClose() }
                }
            }

            private mutating func connectAfterBackoff() async throws -> WebSocket {
                let policy = connections.reconnection
                if let socket = previous {
                    previous = nil
                    // A connection still open was ended by the application; one that closed
                    // early (both instants stamped on its loop) counts as a failure, and its
                    // wait comes before the next attempt.
                    let closedAt = socket.transportClosedAt
                    await Self.close(socket)
                    let lifetime = closedAt.flatMap { closed in socket.openedAt.map { closed - $0 } }
                    let short = lifetime.map { $0 < policy.stableAfter } ?? false
                    failures = short ? failures + 1 : 0
                    if short { try await Task.sleep(for: policy.wait(afterFailures: failures)) }
                }
                var attempts = 0
                while true {
                    try Task.checkCancellation()
                    do {
                        let socket = try await WebSocket.connect(
                            to: connections.url, headers: try await connections.headers(),
                            configuration: connections.configuration, loop: connections.loop)
                        previous = socket
                        return socket
                    } catch {
                        attempts += 1
                        failures += 1
                        guard policy.shouldRetry(error), attempts < Swift.max(1, policy.maxAttempts ?? .max) else {
                            throw error
                        }
                        let wait = policy.wait(after: error, failures: failures)
                        policy.onRetry?(error, failures, wait)
                        try await Task.sleep(for: wait)
                    }
                }
            }
        }
    }
}
