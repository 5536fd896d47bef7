extension HandshakeError {
    /// The cases of ``HandshakeError``, grouped by where they arise.
    public enum Kind: Hashable, Sendable {
        // MARK: HTTP head syntax (RFC 7230 §3)

        /// The start line is longer than ``HTTPHeadLimits/maxLineLength``. A server answers 414.
        case startLineTooLong
        /// A header line is longer than ``HTTPHeadLimits/maxLineLength``. A server answers 431.
        case headerLineTooLong
        /// More than ``HTTPHeadLimits/maxHeaderCount`` header fields. A server answers 431.
        case tooManyHeaders
        /// The head is larger than ``HTTPHeadLimits/maxHeadSize``. A server answers 431.
        case headTooLarge
        /// A line ended in a bare LF, or a CR was not followed by LF (RFC 7230 §3.5).
        case invalidLineEnding
        /// A header line began with whitespace: obsolete line folding (RFC 7230 §3.2.4).
        case obsoleteLineFolding
        /// The request line or status line does not follow RFC 7230 §3.1.
        case malformedStartLine
        /// A header line is not `field-name ":" OWS field-value OWS` (RFC 7230 §3.2).
        case malformedHeader
        /// Whitespace between a field name and the colon (RFC 7230 §3.2.4).
        case whitespaceBeforeColon

        // MARK: Client's opening handshake (RFC 6455 §4.1, §4.2.1)

        /// The method is not `GET` (RFC 6455 §4.1). A server answers 405 with `Allow: GET`.
        case invalidMethod(String)
        /// The HTTP version is not 1.1 or a later 1.x (RFC 6455 §4.1).
        case unsupportedHTTPVersion(String)
        /// The request target is not an origin-form or absolute-form path, or has a fragment
        /// (RFC 6455 §3, RFC 7230 §5.3).
        case invalidRequestTarget
        /// A header that must appear once appears more than once.
        case duplicateHeader(String)
        /// No `Host` header, or an empty one (RFC 6455 §4.1, item 4).
        case missingHost
        /// `Upgrade` lacks the `websocket` token (RFC 6455 §4.1, item 5). A server answers 426.
        case missingUpgrade
        /// `Connection` lacks the `Upgrade` token (RFC 6455 §4.1, item 6). A server answers 426.
        case missingConnectionUpgrade
        /// No `Sec-WebSocket-Key` (RFC 6455 §4.1, item 7).
        case missingKey
        /// A `Sec-WebSocket-Key` that is not 16 bytes in Base64 (RFC 6455 §4.1, item 7).
        case invalidKey
        /// No `Sec-WebSocket-Version` (RFC 6455 §4.1, item 9). A server answers 426.
        case missingWebSocketVersion
        /// `Sec-WebSocket-Version` is not `13` (RFC 6455 §4.4). A server answers 426.
        case unsupportedWebSocketVersion(String)
        /// `Sec-WebSocket-Protocol` is empty, not a list of tokens, or (in a response) not
        /// exactly one token (RFC 6455 §4.1, §11.3.4).
        case malformedSubprotocolHeader
        /// `Sec-WebSocket-Extensions` does not follow RFC 6455 §9.1.
        case malformedExtensionHeader

        // MARK: Plain HTTP requests (a server that answers them, RFC 7230)

        /// A request that is not an upgrade carries a body (`Content-Length` other than 0, or
        /// any `Transfer-Encoding`), which the server does not read. A server answers 413.
        case requestBodyNotAccepted

        // MARK: Server's opening handshake, as checked by the client (RFC 6455 §4.1)

        /// The status is not 101 (RFC 6455 §4.1); the server's status is attached.
        case unexpectedStatus(Int)
        /// No `Sec-WebSocket-Accept` (RFC 6455 §4.1).
        case missingAccept
        /// `Sec-WebSocket-Accept` is not the expected value (RFC 6455 §4.1).
        case invalidAccept
        /// A subprotocol the client did not offer (RFC 6455 §4.1). From
        /// ``ServerHandshakeResponse/accept(_:subprotocol:extensions:additionalHeaders:)``:
        /// the application chose one the client did not offer.
        case unexpectedSubprotocol(String)
        /// An extension the client did not offer (RFC 6455 §4.1, §9.1), or one the application
        /// chose that the client did not offer.
        case unexpectedExtension(String)

        // MARK: Local input to the builders

        /// A header name that is not a token (RFC 7230 §3.2).
        case invalidHeaderName(String)
        /// A header value with CR, LF, NUL, another control character, or edge whitespace
        /// (RFC 7230 §3.2).
        case invalidHeaderValue(name: String)
        /// An additional header that the handshake itself owns (e.g. `Sec-WebSocket-Key`).
        case reservedHeader(String)
        /// A host that cannot be written into `Host` (RFC 7230 §5.4, RFC 3986 §3.2.2).
        case invalidHost
        /// A port outside 1...65535.
        case invalidPort(Int)
        /// A subprotocol that is not a token (RFC 6455 §4.1, item 10).
        case invalidSubprotocol(String)
        /// The same subprotocol offered twice (RFC 6455 §4.1: "MUST all be unique strings").
        case duplicateSubprotocol(String)
        /// An extension element whose name or a parameter is not a token (RFC 6455 §9.1).
        case invalidExtension(String)

        /// The status a server answers with when it raised this error.
        ///
        /// - 414 URI Too Long for ``startLineTooLong`` (RFC 7231 §6.5.12).
        /// - 431 Request Header Fields Too Large for the other size limits (RFC 6585 §5).
        /// - 405 Method Not Allowed for ``invalidMethod``; the response carries `Allow: GET`
        ///   (RFC 7231 §6.5.5: "The origin server MUST generate an Allow header field in a 405
        ///   response"). RFC 6455 names no status; 405 tells the client exactly what is wrong.
        /// - 426 Upgrade Required for a missing or unsupported `Sec-WebSocket-Version` (RFC 6455
        ///   §4.2.2, §4.4) and for a request that is not an upgrade at all (no `websocket` in
        ///   `Upgrade` or no `upgrade` in `Connection`): RFC 7231 §6.5.15 defines 426 for exactly
        ///   that, and python-websockets answers the same.
        /// - 413 Content Too Large for ``requestBodyNotAccepted`` (RFC 9110 §15.5.14).
        /// - 500 Internal Server Error for mistakes in the server's own response.
        /// - 400 Bad Request otherwise (RFC 6455 §4.2.1).
        public var responseStatus: Int {
            switch self {
            case .startLineTooLong: 414
            case .headerLineTooLong, .tooManyHeaders, .headTooLarge: 431
            case .invalidMethod: 405
            case .requestBodyNotAccepted: 413
            case .missingWebSocketVersion, .unsupportedWebSocketVersion, .missingUpgrade,
                .missingConnectionUpgrade:
                426
            case .unexpectedSubprotocol, .unexpectedExtension, .invalidHeaderName,
                .invalidHeaderValue, .reservedHeader, .invalidExtension:
                500
            default: 400
            }
        }
    }
}
