/// The client's side of the opening handshake (RFC 6455 §4.1): builds the upgrade request and
/// validates the server's response.
///
/// Every input is checked when the handshake is created, so ``encodedRequest()`` cannot produce
/// a malformed or injected request: nothing is sent unless everything is valid.
///
/// ```swift
/// var handshake = try ClientHandshake(host: "example.com", port: nil, isSecure: true,
///                                     key: WebSocketKey.generate())
/// send(handshake.encodedRequest())
/// var parser = HTTPHeadParser()
/// while try parser.parse(receive()) == nil {}
/// let result = try handshake.validate(HTTPResponseHead(head))
/// frameParser.feed(parser.remainder)   // bytes after the head are frames
/// ```
public struct ClientHandshake: Sendable {
    /// The `Sec-WebSocket-Key` sent (RFC 6455 §4.1 item 7).
    public let key: String

    /// The subprotocols offered, in order of preference (RFC 6455 §4.1 item 10).
    public let subprotocols: [String]

    /// The extensions offered (RFC 6455 §4.1 item 11, §9.1).
    public let extensions: [ExtensionElement]

    /// The `Sec-WebSocket-Accept` value the server must return (RFC 6455 §4.1).
    public let expectedAccept: String

    private let request: [UInt8]

    /// Header fields the handshake writes itself; `additionalHeaders` may not contain them.
    /// `Content-Length` and `Transfer-Encoding` are here too: the request has no body, and
    /// declaring one would make the server read frames as body.
    public static let reservedHeaderNames = [
        "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
        "Content-Length", "Transfer-Encoding",
    ]

    /// Checks the inputs and builds the request (RFC 6455 §4.1).
    ///
    /// - Parameters:
    ///   - host: The server's host name or IP address; IPv6 literals with or without brackets.
    ///   - port: The server's port; written into `Host` only when not the default (80 for
    ///     `ws`, 443 for `wss`). `nil` means the default.
    ///   - isSecure: Whether this is a `wss` connection.
    ///   - requestTarget: The `/path?query` of the WebSocket URI (RFC 6455 §3).
    ///   - subprotocols: The subprotocols to offer, in order of preference; tokens, unique.
    ///   - extensions: The extensions to offer, in order (RFC 6455 §9.1).
    ///   - additionalHeaders: More fields such as `Origin`, `Authorization` or `Cookie`.
    ///   - key: The `Sec-WebSocket-Key`, from ``WebSocketKey/generate(using:)``.
    /// - Throws: ``HandshakeError`` (`invalidHost`, `invalidPort`, `invalidRequestTarget`,
    ///   `invalidSubprotocol`, `duplicateSubprotocol`, `invalidExtension`, `invalidKey`,
    ///   `invalidHeaderName`, `invalidHeaderValue`, `reservedHeader`).
    public init(
        host: String, port: Int?, isSecure: Bool, requestTarget: String = "/",
        subprotocols: [String] = [], extensions: [ExtensionElement] = [],
        additionalHeaders: HTTPHeaders = HTTPHeaders(), key: String
    ) throws(HandshakeError) {
        let hostValue = try HostHeader.value(host: host, port: port, isSecure: isSecure)
        try Self.validateTarget(requestTarget)
        try Self.validateSubprotocols(subprotocols)
        try ExtensionHeader.validate(extensions)
        // RFC 6455 §4.1 item 7: "a randomly selected 16-byte value that has been base64-encoded".
        guard WebSocketKey.isValid(key) else { throw HandshakeError(.invalidKey) }
        try HTTPHeadWriter.validate(additionalHeaders, reserving: Self.reservedHeaderNames)
        self.key = key
        self.subprotocols = subprotocols
        self.extensions = extensions
        self.expectedAccept = WebSocketKey.acceptValue(for: key)
        self.request = Self.build(target: requestTarget, host: hostValue, key: key,
            subprotocols: subprotocols, extensions: extensions, additionalHeaders: additionalHeaders)
    }

    /// The request bytes, head only (RFC 6455 §4.1):
    ///
    /// ```
    /// GET /chat HTTP/1.1
    /// Host: server.example.com
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
    /// Sec-WebSocket-Version: 13
    /// Sec-WebSocket-Protocol: chat, superchat      (only if offered)
    /// Sec-WebSocket-Extensions: ...                (only if offered)
    /// Origin: http://example.com                   (additional headers, in order)
    /// ```
    public func encodedRequest() -> [UInt8] { request }

    private static func build(
        target: String, host: String, key: String, subprotocols: [String],
        extensions: [ExtensionElement], additionalHeaders: HTTPHeaders
    ) -> [UInt8] {
        // RFC 6455 §4.1 item 2: "The method of the request MUST be GET, and the HTTP version
        // MUST be at least 1.1."
        var writer = HTTPHeadWriter(startLine: "GET " + target + " HTTP/1.1")
        writer.append(name: "Host", value: host)
        writer.append(name: "Upgrade", value: "websocket")
        writer.append(name: "Connection", value: "Upgrade")
        writer.append(name: "Sec-WebSocket-Key", value: key)
        // RFC 6455 §4.1 item 9: "The value of this header field MUST be 13."
        writer.append(name: "Sec-WebSocket-Version", value: "13")
        if !subprotocols.isEmpty {
            writer.append(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        }
        if !extensions.isEmpty {
            writer.append(name: "Sec-WebSocket-Extensions", value: ExtensionHeader.serialize(extensions))
        }
        writer.append(additionalHeaders)
        return writer.finish()
    }

    /// `origin-form = absolute-path [ "?" query ]` (RFC 7230 §5.3.1), visible ASCII only,
    /// no fragment: RFC 6455 §3: "Fragment identifiers are meaningless in the context of
    /// WebSocket URIs and MUST NOT be used on these URIs."
    private static func validateTarget(_ target: String) throws(HandshakeError) {
        let bytes = target.utf8
        guard bytes.first == UInt8(ascii: "/"), bytes.allSatisfy(HTTPGrammar.isVisibleASCII),
            !bytes.contains(UInt8(ascii: "#"))
        else { throw HandshakeError(.invalidRequestTarget) }
    }

    /// RFC 6455 §4.1 item 10: "The elements that comprise this value MUST be non-empty strings
    /// with characters in the range U+0021 to U+007E not including separator characters ...
    /// and MUST all be unique strings."
    private static func validateSubprotocols(_ subprotocols: [String]) throws(HandshakeError) {
        for (index, name) in subprotocols.enumerated() {
            guard HTTPGrammar.isToken(name) else { throw HandshakeError(.invalidSubprotocol(name)) }
            guard !subprotocols[..<index].contains(name) else {
                throw HandshakeError(.duplicateSubprotocol(name))
            }
        }
    }
}
