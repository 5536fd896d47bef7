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
    ///   - url: a `ws://` or `wss://` URL; user information in it (`ws://alice:secret@host/`)
    ///     is sent as `Authorization: Basic` (RFC 7617) unless `headers` has an `Authorization`.
    ///   - headers: additional request headers (`Authorization`, `Origin`, cookies).
    ///   - configuration: limits, timeouts, subprotocols, extensions, TLS settings.
    ///   - loop: the event loop to run on; a shared loop by default.
    /// - Returns: the open connection.
    ///
    /// A server that answers with a redirect fails the connect (``WebSocketError/response``
    /// holds its status and `Location`) unless ``WebSocketDriver/WebSocket/Configuration/maxRedirects``
    /// allows following it: then the request goes to the new URL, within the same open timeout.
    /// - Throws: ``WebSocketError``: invalid URL, transport failure (resolution, refused,
    ///   timeout; for `wss://` a refused certificate, a failed TLS handshake or an unusable TLS
    ///   configuration, all as `TransportError`), a failed opening handshake (with the HTTP
    ///   response in ``WebSocketError/response`` when its status was not 101), or a redirect
    ///   not followed (`insecureRedirect` from `wss://` to `ws://`; `invalidURL` for a
    ///   `Location` that names no WebSocket URL).
    public static func connect(
        to url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        configuration: Configuration = Configuration(),
        loop: EventLoop? = nil
    ) async throws -> WebSocket {
        var target = try WebSocketURL(url)
        if configuration.unixSocketPath != nil, configuration.proxy != .none, configuration.proxy != .environment {
            throw WebSocketError(.transport(TransportError(.proxy("a proxy cannot be combined with unixSocketPath"))))
        }
        var headers = headers
        // The URL's credentials, unless the request has its own; a redirect to another origin
        // drops them with the other credentials (below).
        if let basic = target.basicAuthorization, headers.first("Authorization") == nil {
            headers.append(name: "Authorization", value: basic)
        }
        let deadline = ContinuousClock.now + configuration.openTimeout
        var redirects = 0
        while true {
            do {
                return try await connect(
                    to: target, headers: headers, configuration: configuration,
                    loop: loop ?? SharedLoop.loop, deadline: deadline)
            } catch let error as WebSocketError {
                guard redirects < configuration.maxRedirects, let location = error.redirectLocation else { throw error }
                let next = try target.resolving(redirect: location)
                if target.isSecure && !next.isSecure {
                    throw WebSocketError(.insecureRedirect("\(target) redirected to \(next)"), response: error.response)
                }
                if !next.isSameOrigin(as: target) {
                    for name in Self.credentialHeaders { headers.remove(name: name) }
                }
                redirects += 1
                target = next
            }
        }
    }

    /// Request headers that carry credentials: not sent to another origin after a redirect
    /// (as browsers, curl and python-websockets do).
    static let credentialHeaders = ["Authorization", "Cookie", "Proxy-Authorization"]

    /// One connect to `target`, without redirects, finished by `deadline`.
    private static func connect(
        to target: WebSocketURL, headers: HTTPHeaders, configuration: Configuration, loop: EventLoop,
        deadline: ContinuousClock.Instant
    ) async throws -> WebSocket {
        let tls: TLSContext?
        do throws(TransportError) {
            tls = target.isSecure ? try TLSContext.shared(client: configuration.tls) : nil
        } catch {
            throw WebSocketError(.transport(error))
        }
        var headers = headers
        var proxy = configuration.unixSocketPath == nil ? try configuration.proxy.proxy(for: target) : nil
        // The proxy's credentials are for the proxy: in an HTTP proxy's CONNECT request, never
        // in the upgrade request that the tunnel carries to the server (a SOCKS5 proxy has its
        // own: `SOCKSProxy.credentials`).
        if proxy != nil, let credentials = headers.first("Proxy-Authorization") {
            headers.remove(name: "Proxy-Authorization")
            if case .http(var http) = proxy, http.authorization == nil {
                http.authorization = credentials
                proxy = .http(http)
            }
        }
        let connection: Connection
        do {
            connection = try Connection.client(
                host: target.host, port: target.hasExplicitPort ? target.port : nil, isSecure: target.isSecure,
                requestTarget: target.requestTarget, headers: headers, configuration: configuration.effectiveConnection)
        } catch {
            throw WebSocketError(.connection(error))
        }
        let socket = WebSocket(connection: connection, configuration: configuration, loop: loop)
        try await socket.open(host: target.host, port: target.port, tls: tls, proxy: proxy, deadline: deadline)
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

    /// Connects the transport (TCP, through `proxy`'s tunnel if there is one, then TLS for
    /// `wss://`) and waits for the opening handshake, all by `deadline`.
    private func open(
        host: String, port: Int, tls: TLSContext?, proxy: TunnelProxy?, deadline: ContinuousClock.Instant
    ) async throws {
        let channel: Channel
        do throws(TransportError) {
            if let path = configuration.unixSocketPath {
                channel = try await Channel.connect(
                    unixSocketPath: path, host: host, timeout: deadline - ContinuousClock.now, tls: tls, on: loop, handler: self)
            } else {
                channel = try await Channel.connect(
                    host: host, port: port, timeout: deadline - ContinuousClock.now, tls: tls, proxy: proxy,
                    attemptDelay: configuration.connectionAttemptDelay, on: loop, handler: self)
            }
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

extension WebSocketError {
    /// The `Location` of a redirect (RFC 9110 §15.4: 301, 302, 303, 307, 308) that refused the
    /// upgrade; nil for any other error.
    var redirectLocation: String? {
        guard let response, [301, 302, 303, 307, 308].contains(response.status) else { return nil }
        return response.headers.first("Location")
    }
}
