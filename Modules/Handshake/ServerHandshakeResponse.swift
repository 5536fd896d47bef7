/// The server's side of the opening handshake (RFC 6455 §4.2.2): the 101 response that
/// accepts a connection, or an HTTP error response that refuses it.
public enum ServerHandshakeResponse {
    /// Header fields `accept` writes itself; `additionalHeaders` may not contain them. The 101
    /// response has no body, so `Content-Length` and `Transfer-Encoding` are refused too.
    public static let reservedHeaderNames = [
        "Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding",
    ]

    /// Builds the response that accepts the handshake (RFC 6455 §4.2.2 item 5):
    ///
    /// ```
    /// HTTP/1.1 101 Switching Protocols
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
    /// Sec-WebSocket-Protocol: chat                 (only if one was chosen)
    /// Sec-WebSocket-Extensions: ...                (only if any were accepted)
    /// ...additional headers, in order
    /// ```
    ///
    /// - Parameters:
    ///   - request: The validated request.
    ///   - subprotocol: The chosen subprotocol, which must be one the client offered, or `nil`.
    ///   - extensions: The accepted extensions with their response parameters, each one the
    ///     client offered by name; no header is sent when empty.
    ///   - additionalHeaders: More fields, e.g. `Set-Cookie`.
    /// - Returns: The response bytes.
    /// - Throws: ``HandshakeError`` — `unexpectedSubprotocol`, `unexpectedExtension`,
    ///   `invalidExtension`, `invalidHeaderName`, `invalidHeaderValue`, `reservedHeader` — all
    ///   before anything is built.
    public static func accept(
        _ request: ServerHandshakeRequest, subprotocol: String? = nil,
        extensions: [ExtensionElement] = [], additionalHeaders: HTTPHeaders = HTTPHeaders()
    ) throws(HandshakeError) -> [UInt8] {
        // RFC 6455 §4.2.2 item 5.5: "The value chosen MUST be derived from the client's
        // handshake, specifically by selecting one of the values from the
        // |Sec-WebSocket-Protocol| field".
        if let subprotocol, !request.subprotocols.contains(subprotocol) {
            throw HandshakeError(.unexpectedSubprotocol(subprotocol))
        }
        try ExtensionHeader.validate(extensions)
        for element in extensions where !request.extensions.contains(where: { $0.name == element.name }) {
            throw HandshakeError(.unexpectedExtension(element.name))
        }
        try HTTPHeadWriter.validate(additionalHeaders, reserving: reservedHeaderNames)
        var writer = HTTPHeadWriter(startLine: "HTTP/1.1 101 Switching Protocols")
        writer.append(name: "Upgrade", value: "websocket")
        writer.append(name: "Connection", value: "Upgrade")
        writer.append(name: "Sec-WebSocket-Accept", value: WebSocketKey.acceptValue(for: request.key))
        if let subprotocol { writer.append(name: "Sec-WebSocket-Protocol", value: subprotocol) }
        if !extensions.isEmpty {
            writer.append(name: "Sec-WebSocket-Extensions", value: ExtensionHeader.serialize(extensions))
        }
        writer.append(additionalHeaders)
        return writer.finish()
    }

    /// Builds an HTTP/1.1 response that refuses the handshake, or answers a plain HTTP request
    /// (RFC 6455 §4.2.1: "return an HTTP response with an appropriate error code"; RFC 7230 §3).
    ///
    /// The response carries `Content-Length` and `Connection: close` (`Connection: Upgrade,
    /// close` when `headers` has `Upgrade`, as RFC 7230 §6.7 requires). This function cannot
    /// throw, so it repairs rather than refuses:
    /// - a status outside 200...599 becomes 500;
    /// - an invalid `reason` (control characters) is replaced by the standard phrase;
    /// - header fields with an invalid name or value (CR, LF, NUL, ...) are dropped, and so are
    ///   `Content-Length`, `Transfer-Encoding` and `Connection`, which this function writes;
    /// - 204 and 304 get neither `Content-Length` nor a body (RFC 7230 §3.3.2, §3.3.3).
    ///
    /// - Parameters:
    ///   - status: The status code, e.g. 403.
    ///   - reason: The reason phrase; the standard one for common statuses when `nil`.
    ///   - headers: More fields, e.g. `Content-Type` or `Location`.
    ///   - body: The body.
    /// - Returns: The response bytes.
    public static func reject(
        status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) -> [UInt8] {
        let status = (200...599).contains(status) ? status : 500
        let validReason = reason.flatMap { $0.utf8.allSatisfy(HTTPGrammar.isFieldCharacter) ? $0 : nil }
        var writer = HTTPHeadWriter(
            startLine: "HTTP/1.1 " + String(status) + " " + (validReason ?? HTTPReasonPhrase.standard(for: status)))
        var sendsUpgrade = false
        for (name, value) in headers where isSendableInRejection(name: name, value: value) {
            writer.append(name: name, value: value)
            sendsUpgrade = sendsUpgrade || HTTPGrammar.equalsIgnoringCase(name, "Upgrade")
        }
        let hasBody = status != 204 && status != 304
        if hasBody { writer.append(name: "Content-Length", value: String(body.count)) }
        writer.append(name: "Connection", value: sendsUpgrade ? "Upgrade, close" : "close")
        return writer.finish(body: hasBody ? body : [])
    }

    /// Builds the answer to a plain HTTP request (``PlainHTTPRequest``): as
    /// ``reject(status:reason:headers:body:)``, so with `Content-Length` and `Connection: close`,
    /// and without the body for a `HEAD` request (RFC 7231 §4.3.2: "The server MUST NOT send a
    /// message body in the response" to HEAD; its `Content-Length` is the one GET would get).
    ///
    /// - Parameters:
    ///   - request: The request answered.
    ///   - status: The status code, e.g. 200.
    ///   - reason: The reason phrase; the standard one for common statuses when `nil`.
    ///   - headers: More fields, e.g. `Content-Type`.
    ///   - body: The body.
    /// - Returns: The response bytes.
    public static func response(
        to request: PlainHTTPRequest, status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = []
    ) -> [UInt8] {
        var bytes = reject(status: status, reason: reason, headers: headers, body: body)
        let bodyWritten = status != 204 && status != 304  // as `reject` decides
        if request.method == "HEAD" && bodyWritten { bytes.removeLast(body.count) }
        return bytes
    }

    /// Builds the response for a failed handshake: status ``HandshakeError/responseStatus``,
    /// a `text/plain` body with the error's message, and
    /// - for 426, `Upgrade: websocket` (RFC 7231 §6.5.15: "The server MUST send an Upgrade
    ///   header field in a 426 response") and `Sec-WebSocket-Version: 13` (RFC 6455 §4.4);
    /// - for 405, `Allow: GET` (RFC 7231 §6.5.5: "The origin server MUST generate an Allow
    ///   header field in a 405 response").
    ///
    /// The answer to a `HEAD` request has no body (RFC 9110 §9.3.2: "the server MUST NOT send
    /// content in the response"), and `Content-Length: 0`.
    ///
    /// - Parameters:
    ///   - error: The error from parsing or validating the request.
    ///   - method: The request's method, when the request line was read.
    /// - Returns: The response bytes.
    public static func reject(_ error: HandshakeError, method: String? = nil) -> [UInt8] {
        var headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8"]
        switch error.responseStatus {
        case 426:
            headers.append(name: "Upgrade", value: "websocket")
            headers.append(name: "Sec-WebSocket-Version", value: "13")
        case 405:
            headers.append(name: "Allow", value: "GET")
        default:
            break
        }
        let body = method == "HEAD" ? [] : Array((error.message + "\n").utf8)
        return reject(status: error.responseStatus, headers: headers, body: body)
    }

    private static func isSendableInRejection(name: String, value: String) -> Bool {
        HTTPHeaders.isValidFieldName(name) && HTTPHeaders.isValidFieldValue(value)
            && !["Content-Length", "Transfer-Encoding", "Connection"].contains {
                HTTPGrammar.equalsIgnoringCase($0, name)
            }
    }
}
