/// A client's opening handshake that the server has validated (RFC 6455 §4.2.1).
///
/// Create it from the parsed request head; on failure, answer with
/// ``ServerHandshakeResponse/reject(_:)``, which uses the error's ``HandshakeError/responseStatus``.
/// On success, decide on a subprotocol and extensions and answer with
/// ``ServerHandshakeResponse/accept(_:subprotocol:extensions:additionalHeaders:)``.
public struct ServerHandshakeRequest: Sendable, Hashable {
    /// The method; always `GET`.
    public let method: String
    /// The request target as sent (RFC 6455 §4.2.1 item 1, "/resource name/").
    public let target: String
    /// The HTTP version, 1.1 or a later 1.x.
    public let version: String
    /// The path of the target, before any `?`; `/` at least.
    public let path: String
    /// The query of the target, after the first `?`; `nil` if there is no `?`.
    public let query: String?
    /// The `Host` value (RFC 6455 §4.2.1 item 2).
    public let host: String
    /// The `Sec-WebSocket-Key` value (RFC 6455 §4.2.1 item 5).
    public let key: String
    /// The `Origin` value, if any (RFC 6455 §4.2.1 item 7, §10.2); the server decides whether
    /// to accept it.
    public let origin: String?
    /// The subprotocols offered, in the client's order of preference (RFC 6455 §4.2.1 item 8).
    public let subprotocols: [String]
    /// The extensions offered, parsed, in order (RFC 6455 §4.2.1 item 9, §9.1).
    public let extensions: [ExtensionElement]
    /// All header fields of the request.
    public let headers: HTTPHeaders

    /// Validates a request head as a WebSocket opening handshake (RFC 6455 §4.2.1).
    ///
    /// - Parameter head: The request head, from ``HTTPRequestHead/init(_:)``.
    /// - Throws: ``HandshakeError`` — `invalidMethod` (405), `unsupportedHTTPVersion`,
    ///   `invalidRequestTarget`, `missingHost`, `duplicateHeader`, `missingUpgrade` (426),
    ///   `missingConnectionUpgrade` (426), `missingWebSocketVersion` (426),
    ///   `unsupportedWebSocketVersion` (426), `missingKey`, `invalidKey`,
    ///   `malformedSubprotocolHeader`, `malformedExtensionHeader`; 400 unless noted.
    public init(validating head: HTTPRequestHead) throws(HandshakeError) {
        // RFC 6455 §4.2.1 item 1: "An HTTP/1.1 or higher GET request"; §4.1: "The method of the
        // request MUST be GET, and the HTTP version MUST be at least 1.1."
        guard HTTPVersion(head.version)?.isAtLeast11 == true else {
            throw HandshakeError(.unsupportedHTTPVersion(head.version))
        }
        guard head.method == "GET" else { throw HandshakeError(.invalidMethod(head.method)) }
        let target = try RequestTarget(head.target)
        let headers = head.headers
        let host = try Self.host(headers)
        try Self.validateUpgrade(headers)
        try Self.validateVersion(headers)
        let key = try Self.key(headers)
        let subprotocols = try Self.subprotocols(headers)
        let extensions = try ExtensionHeader.parse(headers.values(for: "Sec-WebSocket-Extensions"))
        (method, self.target, version, path, query) = (head.method, head.target, head.version, target.path, target.query)
        (self.host, self.key, self.subprotocols, self.extensions) = (host, key, subprotocols, extensions)
        self.origin = headers.first("Origin")
        self.headers = headers
    }

    /// RFC 6455 §4.2.1 item 2: "A |Host| header field containing the server's authority."
    /// RFC 7230 §5.4: "A server MUST respond with a 400 (Bad Request) status code to any
    /// HTTP/1.1 request message that lacks a Host header field and to any request message that
    /// contains more than one Host header field or a Host header field with an invalid
    /// field-value."
    static func host(_ headers: HTTPHeaders) throws(HandshakeError) -> String {
        let values = headers.values(for: "Host")
        guard let value = values.first, !value.isEmpty else { throw HandshakeError(.missingHost) }
        guard values.count == 1 else { throw HandshakeError(.duplicateHeader("Host")) }
        guard HostHeader.isValidFieldValue(value) else {
            throw HandshakeError(.missingHost, message: "invalid Host header (RFC 7230 §5.4)")
        }
        return value
    }

    /// RFC 6455 §4.2.1 items 3 and 4: "An |Upgrade| header field containing the value
    /// "websocket", treated as an ASCII case-insensitive value" and "A |Connection| header
    /// field that includes the token "Upgrade", treated as an ASCII case-insensitive value."
    private static func validateUpgrade(_ headers: HTTPHeaders) throws(HandshakeError) {
        guard headers.containsToken("websocket", for: "Upgrade") else { throw HandshakeError(.missingUpgrade) }
        guard headers.containsToken("Upgrade", for: "Connection") else {
            throw HandshakeError(.missingConnectionUpgrade)
        }
    }

    /// RFC 6455 §4.2.1 item 6: "A |Sec-WebSocket-Version| header field, with a value of 13."
    /// §4.4: "If this version does not match a version understood by the server, the server
    /// MUST abort the WebSocket handshake described in this section and instead send an
    /// appropriate HTTP error code (such as 426 Upgrade Required) and a
    /// |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of
    /// understanding."
    private static func validateVersion(_ headers: HTTPHeaders) throws(HandshakeError) {
        let values = headers.values(for: "Sec-WebSocket-Version")
        guard !values.isEmpty else { throw HandshakeError(.missingWebSocketVersion) }
        guard values == ["13"] else {
            throw HandshakeError(.unsupportedWebSocketVersion(values.joined(separator: ", ")))
        }
    }

    /// RFC 6455 §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded (see
    /// Section 4 of [RFC4648]) value that, when decoded, is 16 bytes in length." §11.3.1: the
    /// header "MUST NOT appear more than once in an HTTP request."
    private static func key(_ headers: HTTPHeaders) throws(HandshakeError) -> String {
        let values = headers.values(for: "Sec-WebSocket-Key")
        guard let value = values.first else { throw HandshakeError(.missingKey) }
        guard values.count == 1 else { throw HandshakeError(.duplicateHeader("Sec-WebSocket-Key")) }
        guard WebSocketKey.isValid(value) else { throw HandshakeError(.invalidKey) }
        return value
    }

    /// RFC 6455 §4.1 item 10 and §11.3.4: `Sec-WebSocket-Protocol = 1#token`; empty elements
    /// are ignored (RFC 7230 §7), but a header with no token, or a non-token, is malformed.
    private static func subprotocols(_ headers: HTTPHeaders) throws(HandshakeError) -> [String] {
        guard headers.contains("Sec-WebSocket-Protocol") else { return [] }
        let tokens = headers.tokens(for: "Sec-WebSocket-Protocol")
        guard !tokens.isEmpty, tokens.allSatisfy(HTTPGrammar.isToken) else {
            throw HandshakeError(.malformedSubprotocolHeader)
        }
        return tokens
    }
}
