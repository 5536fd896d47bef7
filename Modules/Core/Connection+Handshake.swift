import WebSocketExtensions
public import WebSocketFraming
public import WebSocketHandshake

extension Connection {
    /// Creates a client connection and queues its opening handshake request (RFC 6455 §4.1).
    /// - Parameters:
    ///   - host: the host to name in `Host` (an IPv6 literal without brackets is fine).
    ///   - port: the port, or nil for the scheme's default.
    ///   - isSecure: whether the scheme is `wss`.
    ///   - requestTarget: the path and query, starting with `/`.
    ///   - headers: additional request headers (e.g. `Authorization`, `Origin`).
    ///   - configuration: limits, subprotocols and extensions.
    ///   - random: the source of the `Sec-WebSocket-Key` and masking keys: by default a
    ///     ChaCha20 keystream keyed from the system's cryptographic generator
    ///     (``WebSocketFraming/ChaCha20Random``), as unpredictable and without a system call per
    ///     frame. RFC 6455 §5.3: the masking key "MUST be derived from a strong source of entropy".
    /// - Throws: ``ConnectionError`` with `.handshake` when a header value is invalid.
    public static func client(
        host: String,
        port: Int? = nil,
        isSecure: Bool = false,
        requestTarget: String = "/",
        headers: HTTPHeaders = HTTPHeaders(),
        configuration: Configuration = Configuration(),
        random: any RandomNumberGenerator & Sendable = ChaCha20Random()
    ) throws(ConnectionError) -> Connection {
        var connection = Connection(role: .client, configuration: configuration, random: random)
        let key = WebSocketKey.generate(using: &connection.random)
        do {
            let handshake = try ClientHandshake(
                host: host, port: port, isSecure: isSecure, requestTarget: requestTarget,
                subprotocols: configuration.subprotocols,
                extensions: ExtensionNegotiation.clientOffers(configuration.extensions),
                additionalHeaders: headers, key: key)
            connection.output = handshake.encodedRequest()
            connection.clientHandshake = handshake
        } catch {
            throw ConnectionError(.handshake(error))
        }
        return connection
    }

    /// Creates a server connection that waits for the client's opening handshake (RFC 6455 §4.2).
    /// - Parameters:
    ///   - configuration: limits, supported subprotocols and extensions.
    ///   - random: unused by the server's framing (it does not mask) but kept for symmetry.
    public static func server(
        configuration: Configuration = Configuration(),
        random: any RandomNumberGenerator & Sendable = ChaCha20Random()
    ) -> Connection {
        Connection(role: .server, configuration: configuration, random: random)
    }

    /// Feeds handshake bytes to the HTTP head parser; on a complete head, validates it.
    mutating func receiveHandshake<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let head: HTTPHead?
        do {
            head = try headParser.parse(bytes)
        } catch {
            // RFC 7230 §3.2.5: a server that receives header fields "larger than it wishes to
            // process MUST respond with an appropriate 4xx (Client Error) status code": 431 or
            // 414 for the limits, 400 for malformed syntax (``HandshakeError/responseStatus``).
            // The rest of the head is likely on its way: the close lingers.
            guard role == .server else { return failHandshake(ConnectionError(.handshake(error))) }
            return answerAndClose(ServerHandshakeResponse.reject(error), ConnectionError(.handshake(error)))
        }
        guard let head else { return }
        let remainder = headParser.remainder
        headParser = HTTPHeadParser(limits: configuration.headLimits)
        switch role {
        case .client: completeClientHandshake(head)
        case .server: readUpgradeRequest(head)
        }
        if case .plain? = pendingRequest { return }  // nothing after a plain request is read
        input.append(contentsOf: remainder)
        if phase == .open { processInput() }
    }

    /// RFC 6455 §4.1: validates the server's response and builds the extension stack.
    private mutating func completeClientHandshake(_ head: HTTPHead) {
        guard let handshake = clientHandshake else { return }
        do {
            let response = try HTTPResponseHead(head)
            if response.status != 101 { refusedResponse = response }
            let result = try handshake.validate(response)
            do {
                extensions = try ExtensionNegotiation.clientAccept(
                    result.extensions, factories: configuration.extensions)
            } catch {
                return failHandshake(ConnectionError(.extensionNegotiation(error)))
            }
            subprotocol = result.subprotocol
            clientHandshake = nil
            phase = .open
            events.append(.open(OpenInfo(
                subprotocol: result.subprotocol, extensions: result.extensions, headers: result.headers)))
        } catch {
            failHandshake(ConnectionError(.handshake(error)))
        }
    }

    /// RFC 6455 §4.2.1: validates the client's request and hands it to the application; with
    /// ``Configuration/deliversPlainHTTPRequests``, a request that is not an upgrade is checked
    /// as a plain HTTP request and handed over too.
    private mutating func readUpgradeRequest(_ head: HTTPHead) {
        var requestHead: HTTPRequestHead?
        do {
            let head = try HTTPRequestHead(head)
            requestHead = head
            if configuration.deliversPlainHTTPRequests, !PlainHTTPRequest.isUpgradeRequest(head) {
                return try readPlainRequest(head)
            }
            let request = try ServerHandshakeRequest(validating: head)
            pendingRequest = .upgrade(request)
            phase = .awaitingUpgradeDecision
            events.append(.upgradeRequest(request))
        } catch {
            refuse(error, requestHead)
        }
    }

    /// Answers a request that failed validation with the error's status and closes, lingering
    /// like every answer before open (``answerAndClose(_:_:)``).
    private mutating func refuse(_ error: HandshakeError, _ head: HTTPRequestHead?) {
        answerAndClose(ServerHandshakeResponse.reject(error, method: head?.method), ConnectionError(.handshake(error)))
    }

    private mutating func readPlainRequest(_ head: HTTPRequestHead) throws(HandshakeError) {
        let request = try PlainHTTPRequest(validating: head)
        pendingRequest = .plain(request)
        phase = .awaitingUpgradeDecision
        events.append(.plainHTTPRequest(request))
    }

    /// Server role: answers the plain HTTP request reported as ``Event/plainHTTPRequest(_:)``
    /// and closes the connection: the response carries `Connection: close` and `Content-Length`
    /// (except for 204 and 304), no body for `HEAD` (see ``ServerHandshakeResponse/response(to:status:reason:headers:body:)``
    /// for how invalid parts are repaired). The transport closes once the response is written,
    /// after the client closes its side (a lingering close, bounded by the driver's close
    /// timeout), so that bytes the client sent after its head cannot reset the response. Bytes
    /// that arrive after the head are discarded. A client that has not read the whole
    /// response by then loses the rest: keep bodies small.
    /// - Parameters:
    ///   - status: the HTTP status, e.g. 200.
    ///   - reason: the reason phrase; the standard one by default.
    ///   - headers: additional response headers, e.g. `Content-Type`.
    ///   - body: the body.
    /// - Throws: ``ConnectionError`` with `.invalidState` when no plain request is waiting.
    public mutating func respond(
        status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) throws(ConnectionError) {
        guard role == .server, phase == .awaitingUpgradeDecision, case .plain(let request)? = pendingRequest else {
            throw ConnectionError(.invalidState("no plain HTTP request is waiting for a response"))
        }
        answerAndClose(ServerHandshakeResponse.response(to: request, status: status, reason: reason, headers: headers, body: body),
                       ConnectionError(.plainHTTPRequestAnswered(status: status)))
    }

    /// Writes the response that ends a connection before it opened (a refusal, a plain
    /// request's answer) and closes with a lingering close (RFC 9112 §9.6) unless the client
    /// already closed its side: the client may have sent bytes behind its request that no one
    /// read (a body; frames before the 101, though RFC 6455 forbids them; all of them when the
    /// driver paused its reads for an async decision), and closing with input unread makes the
    /// kernel reset the connection, which discards a response still waiting to be sent.
    private mutating func answerAndClose(_ response: [UInt8], _ error: ConnectionError) {
        // The status as written (`HTTP/1.1 NNN `), whatever the caller asked for.
        answeredStatus = response.count >= 12 ? Int(String(decoding: response[9..<12], as: UTF8.self)) : nil
        output.append(contentsOf: response)
        lingersBeforeClosing = !eofReceived
        failHandshake(error)
    }

    /// Server role: accepts the upgrade request and opens the connection (RFC 6455 §4.2.2).
    /// - Parameters:
    ///   - subprotocol: the subprotocol to use; it must be one the client offered. By default,
    ///     the first of ``Configuration/subprotocols`` that the client offered.
    ///   - headers: additional response headers (e.g. `Set-Cookie`).
    /// - Throws: ``ConnectionError`` when there is no request to accept, the subprotocol was
    ///   not offered, or a header is invalid. The connection is unchanged then.
    public mutating func accept(subprotocol: String? = nil, headers: HTTPHeaders = HTTPHeaders()) throws(ConnectionError) {
        guard role == .server, phase == .awaitingUpgradeDecision, case .upgrade(let request)? = pendingRequest else {
            throw ConnectionError(.invalidState("no upgrade request is waiting for a decision"))
        }
        let chosen = subprotocol ?? configuration.subprotocols.first { request.subprotocols.contains($0) }
        let negotiated: ExtensionNegotiation.ServerResult
        do {
            negotiated = try ExtensionNegotiation.serverNegotiate(request.extensions, factories: configuration.extensions)
        } catch {
            // A malformed offer is the client's error (400, RFC 6455 §4.2.1); a factory's own
            // failure (`internalError`, e.g. zlib out of memory) is the server's (500).
            answerAndClose(ServerHandshakeResponse.reject(status: error.kind == .internalError ? 500 : 400),
                           ConnectionError(.extensionNegotiation(error)))  // reported as the cause
            return
        }
        do {
            output.append(contentsOf: try ServerHandshakeResponse.accept(
                request, subprotocol: chosen, extensions: negotiated.response, additionalHeaders: headers))
        } catch {
            throw ConnectionError(.handshake(error))
        }
        extensions = negotiated.stack
        self.subprotocol = chosen
        pendingRequest = nil
        phase = .open
        events.append(.open(OpenInfo(subprotocol: chosen, extensions: negotiated.response, headers: request.headers)))
        processInput()
    }

    /// Server role: refuses the upgrade (or the plain HTTP request) with an HTTP response and
    /// closes the connection, with a lingering close (``lingersBeforeClosing``) unless the
    /// client already closed its side.
    /// - Parameters:
    ///   - status: the HTTP status, e.g. 403 for a refused origin.
    ///   - reason: the reason phrase; the standard one by default.
    ///   - headers: additional response headers.
    public mutating func reject(status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        guard role == .server, phase == .awaitingUpgradeDecision || phase == .connecting else { return }
        let response = if case .plain(let request)? = pendingRequest {
            ServerHandshakeResponse.response(to: request, status: status, reason: reason, headers: headers)
        } else {
            ServerHandshakeResponse.reject(status: status, reason: reason, headers: headers)
        }
        answerAndClose(response, ConnectionError(.upgradeRejected(status: status)))
    }

    /// Ends a connection whose opening handshake failed: no close frame, the transport closes.
    /// RFC 6455 §4.1: the client "MUST _Fail the WebSocket Connection_".
    mutating func failHandshake(_ error: ConnectionError) {
        guard phase != .closed else { return }
        phase = .closed
        pendingRequest = nil
        releaseExtensions()
        shouldCloseTransport = true
        input.removeAll()
        let info = CloseInfo(code: .abnormalClosure, reason: "", wasClean: false, error: error)
        closeInfo = info
        events.append(.closed(info))
    }
}

/// Server role: the request that waits for the application's answer.
enum PendingRequest {
    /// An upgrade request: `accept` or `reject`.
    indirect case upgrade(ServerHandshakeRequest)
    /// A plain HTTP request: `respond` or `reject`.
    indirect case plain(PlainHTTPRequest)
}
