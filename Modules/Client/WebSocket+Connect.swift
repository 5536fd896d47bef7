import WebSocketCore
import WebSocketFraming
public import WebSocketDriver
public import WebSocketHandshake
public import WebSocketTransport

extension WebSocket {
    /// Opens a client connection (RFC 6455 §4.1).
    ///
    /// ```swift
    /// let ws = try await WebSocket.connect(to: "ws://127.0.0.1:9001/chat")
    ///
    /// var configuration = WebSocket.Configuration()
    /// configuration.tls.trustRoots = .pemFile("/etc/myapp/ca.pem")   // a private CA
    /// let secure = try await WebSocket.connect(to: "wss://chat.example:8443/", configuration: configuration)
    /// ```
    ///
    /// For `wss://` the TLS handshake runs right after the TCP connect, inside the open timeout
    /// (RFC 6455 §4.1: "If /secure/ is true, the client MUST perform a TLS handshake over the
    /// connection after opening the connection and before sending the handshake data"), with
    /// ``WebSocketDriver/WebSocket/Configuration/tls``: the server's certificate must chain to
    /// the trust roots and name the URL's host (RFC 6125), which is also sent as SNI (RFC 6066).
    /// - Parameters:
    ///   - url: a `ws://` or `wss://` URL.
    ///   - headers: additional request headers (`Authorization`, `Origin`, cookies).
    ///   - configuration: limits, timeouts, subprotocols, extensions, TLS settings.
    ///   - loop: the event loop to run on; a shared loop by default.
    /// - Returns: the open connection.
    /// - Throws: ``WebSocketError``: invalid URL, transport failure (resolution, refused,
    ///   timeout; for `wss://` a refused certificate, a failed TLS handshake or an unusable TLS
    ///   configuration, all as `TransportError`), or a failed opening handshake (with the HTTP
    ///   status when it was not 101).
    public static func connect(
        to url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        configuration: Configuration = Configuration(),
        loop: EventLoop? = nil
    ) async throws -> WebSocket {
        let target = try WebSocketURL(url)
        let tls: TLSContext?
        do throws(TransportError) {
            tls = target.isSecure ? try TLSContext.shared(client: configuration.tls) : nil
        } catch {
            throw WebSocketError(.transport(error))
        }
        let connection: Connection
        do {
            connection = try Connection.client(
                host: target.host, port: target.hasExplicitPort ? target.port : nil, isSecure: target.isSecure,
                requestTarget: target.requestTarget, headers: headers, configuration: configuration.effectiveConnection)
        } catch {
            throw WebSocketError(.connection(error))
        }
        let socket = WebSocket(connection: connection, configuration: configuration, loop: loop ?? SharedLoop.loop)
        try await socket.open(host: target.host, port: target.port, tls: tls)
        return socket
    }

    /// Opens a client connection, runs `body` with it on the connection's event loop, then
    /// closes it (1000 when `body` returns, 1011 when it throws) and waits until it is closed.
    ///
    /// ```swift
    /// let reply = try await WebSocket.connect(to: "ws://127.0.0.1:9001/chat") { ws in
    ///     try await ws.send(text: "Hello")
    ///     return try await ws.receive()?.text
    /// }
    /// ```
    ///
    /// `body` runs with the loop as its task executor (as a server's handlers do), so `send`,
    /// `receive` and `messages` cost no thread hop: the fastest way to drive a client. The loop
    /// also carries the connection's I/O, so `body` must not block its thread.
    /// - Parameters: as ``connect(to:headers:configuration:loop:)``, plus `body`.
    /// - Returns: what `body` returns.
    /// - Throws: what ``connect(to:headers:configuration:loop:)`` throws, or what `body` throws.
    public static func connect<Result: Sendable>(
        to url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        configuration: Configuration = Configuration(),
        loop: EventLoop? = nil,
        _ body: (WebSocket) async throws -> Result
    ) async throws -> Result {
        let loop = loop ?? SharedLoop.loop
        return try await withTaskExecutorPreference(loop.taskExecutor) {
            let ws = try await connect(to: url, headers: headers, configuration: configuration, loop: loop)
            let result: Result
            do {
                result = try await body(ws)
            } catch {
                await ws.closeIfOpen(code: .internalError)
                throw error
            }
            await ws.closeIfOpen(code: .normalClosure)
            return result
        }
    }

    /// Starts the closing handshake unless it has begun, and waits until the connection closed.
    private func closeIfOpen(code: CloseCode) async {
        loop.execute { [self] in beginClose(code: code, reason: "") }
        _ = await closed()
    }

    /// Connects the transport (TCP, then TLS for `wss://`) and waits for the opening handshake,
    /// all within the open timeout.
    private func open(host: String, port: Int, tls: TLSContext?) async throws {
        let deadline = ContinuousClock.now + configuration.openTimeout
        let channel: Channel
        do throws(TransportError) {
            channel = try await Channel.connect(
                host: host, port: port, timeout: configuration.openTimeout, tls: tls, on: loop, handler: self)
        } catch {
            throw WebSocketError(.transport(error))
        }
        _ = try await open(on: channel, timeout: deadline - ContinuousClock.now)
    }
}

/// The loop clients use when none is given: one thread, started on first use.
enum SharedLoop {
    static let loop = EventLoop(name: "ws-client")
}
