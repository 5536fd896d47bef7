extension HandshakeError.Kind {
    /// The standard message for this kind, quoting the RFC where it has the words.
    var defaultMessage: String {
        syntaxMessage ?? requestMessage ?? responseMessage ?? builderMessage ?? "handshake failed"
    }

    private var syntaxMessage: String? {
        switch self {
        case .startLineTooLong: "request or status line too long"
        case .headerLineTooLong: "header line too long"
        case .tooManyHeaders: "too many header fields"
        case .headTooLarge: "HTTP head too large"
        case .invalidLineEnding: "line not terminated by CRLF (RFC 7230 §3.5)"
        case .obsoleteLineFolding: "obsolete line folding is not accepted (RFC 7230 §3.2.4)"
        case .malformedStartLine: "malformed start line (RFC 7230 §3.1)"
        case .malformedHeader: "malformed header field (RFC 7230 §3.2)"
        case .whitespaceBeforeColon:
            "No whitespace is allowed between the header field-name and colon (RFC 7230 §3.2.4)"
        default: nil
        }
    }

    private var requestMessage: String? {
        switch self {
        case .invalidMethod(let method):
            "the method of the request MUST be GET (RFC 6455 §4.1), got " + HandshakeError.quoted(method)
        case .unsupportedHTTPVersion(let version):
            "the HTTP version MUST be at least 1.1 (RFC 6455 §4.1), got " + HandshakeError.quoted(version)
        case .invalidRequestTarget: "invalid request target (RFC 6455 §3, RFC 7230 §5.3)"
        case .duplicateHeader(let name): "duplicate " + HandshakeError.quoted(name) + " header"
        case .missingHost: "the request MUST contain a |Host| header field (RFC 6455 §4.1)"
        case .missingUpgrade: "the Upgrade header must contain the token \"websocket\" (RFC 6455 §4.1)"
        case .missingConnectionUpgrade:
            "the Connection header must contain the token \"Upgrade\" (RFC 6455 §4.1)"
        case .missingKey: "missing Sec-WebSocket-Key header (RFC 6455 §4.1)"
        case .invalidKey: "Sec-WebSocket-Key must be 16 bytes, base64-encoded (RFC 6455 §4.1)"
        case .missingWebSocketVersion: "missing Sec-WebSocket-Version header; supported: 13"
        case .unsupportedWebSocketVersion(let version):
            "unsupported Sec-WebSocket-Version " + HandshakeError.quoted(version) + "; supported: 13"
        case .malformedSubprotocolHeader: "malformed Sec-WebSocket-Protocol header (RFC 6455 §4.1)"
        case .malformedExtensionHeader: "malformed Sec-WebSocket-Extensions header (RFC 6455 §9.1)"
        case .requestBodyNotAccepted:
            "this server does not read request bodies (Content-Length other than 0, or Transfer-Encoding)"
        default: nil
        }
    }

    private var responseMessage: String? {
        switch self {
        case .unexpectedStatus(let status):
            "the server answered with status " + String(status) + " instead of 101"
        case .missingAccept: "missing Sec-WebSocket-Accept header (RFC 6455 §4.1)"
        case .invalidAccept: "Sec-WebSocket-Accept does not match the key (RFC 6455 §4.1)"
        case .unexpectedSubprotocol(let name):
            "subprotocol " + HandshakeError.quoted(name) + " was not offered (RFC 6455 §4.1)"
        case .unexpectedExtension(let name):
            "extension " + HandshakeError.quoted(name) + " was not offered (RFC 6455 §4.1)"
        default: nil
        }
    }

    private var builderMessage: String? {
        switch self {
        case .invalidHeaderName(let name): "invalid header name " + HandshakeError.quoted(name)
        case .invalidHeaderValue(let name):
            "invalid value for header " + HandshakeError.quoted(name)
                + ": control characters (CR, LF, NUL, ...) or edge whitespace"
        case .reservedHeader(let name):
            "header " + HandshakeError.quoted(name) + " is set by the handshake itself"
        case .invalidHost: "invalid host"
        case .invalidPort(let port): "invalid port " + String(port)
        case .invalidSubprotocol(let name): "subprotocol " + HandshakeError.quoted(name) + " is not a token"
        case .duplicateSubprotocol(let name): "subprotocol " + HandshakeError.quoted(name) + " offered twice"
        case .invalidExtension(let name):
            "extension " + HandshakeError.quoted(name) + " has a name or parameter that is not a token"
        default: nil
        }
    }
}
