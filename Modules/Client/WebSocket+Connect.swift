import WebSocketCore
public import WebSocketDriver
public import WebSocketHandshake
public import WebSocketTransport

extension WebSocket {
    /// Opens a client connection (RFC 6455 §4.1).
    ///
    /// ```swift
    /// let ws = try await WebSocket.connect(to: "ws://127.0.0.1:9001/chat")
    /// ```
    /// - Parameters:
    ///   - url: a `ws://` URL (`wss://` arrives with TLS support).
    ///   - headers: additional request headers (`Authorization`, `Origin`, cookies).
    ///   - configuration: limits, timeouts, subprotocols, extensions.
    ///   - loop: the event loop to run on; a shared loop by default.
    /// - Returns: the open connection.
    /// - Throws: ``WebSocketError``: invalid URL, transport failure (resolution, refused,
    ///   timeout), or a failed opening handshake (with the HTTP status when it was not 101).
    public static func connect(
        to url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        configuration: Configuration = Configuration(),
        loop: EventLoop? = nil
    ) async throws -> WebSocket {
        let target = try WebSocketURL(url)
        guard !target.isSecure else {
            throw WebSocketError(.invalidURL("\(url): wss:// needs TLS, which this build does not have yet"))
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
        try await socket.open(host: target.host, port: target.port)
        return socket
    }

    /// Connects the transport and waits for the opening handshake, all within the open timeout.
    private func open(host: String, port: Int) async throws {
        let deadline = ContinuousClock.now + configuration.openTimeout
        let channel: Channel
        do throws(TransportError) {
            channel = try await Channel.connect(host: host, port: port, timeout: configuration.openTimeout, on: loop, handler: self)
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
