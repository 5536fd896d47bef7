extension ClientHandshake {
    /// Validates the server's response (RFC 6455 §4.1, "the client MUST validate the server's
    /// response as follows").
    ///
    /// Call it with the head from ``HTTPHeadParser``; the parser's ``HTTPHeadParser/remainder``
    /// holds the first frame bytes.
    ///
    /// - Parameter response: The server's response head.
    /// - Returns: The selected subprotocol, the accepted extensions and the response headers.
    /// - Throws: ``HandshakeError`` — `unexpectedStatus(status)` for anything but 101 (the
    ///   application should surface the status), `missingUpgrade`, `missingConnectionUpgrade`,
    ///   `missingAccept`, `duplicateHeader`, `invalidAccept`, `malformedSubprotocolHeader`,
    ///   `unexpectedSubprotocol`, `malformedExtensionHeader`, `unexpectedExtension`.
    public func validate(_ response: HTTPResponseHead) throws(HandshakeError) -> ClientHandshakeResult {
        // RFC 6455 §4.1 item 1: "If the status code received from the server is not 101, the
        // client handles the response per HTTP [RFC2616] procedures."
        guard response.status == 101 else {
            throw HandshakeError(.unexpectedStatus(response.status),
                message: "the server answered with status " + String(response.status) + " "
                    + HandshakeError.quoted(response.reason) + " instead of 101 Switching Protocols")
        }
        let headers = response.headers
        // RFC 6455 §4.1 item 2: "If the response lacks an |Upgrade| header field or the
        // |Upgrade| header field contains a value that is not an ASCII case-insensitive match
        // for the value "websocket", the client MUST _Fail the WebSocket Connection_."
        guard headers.containsToken("websocket", for: "Upgrade") else { throw HandshakeError(.missingUpgrade) }
        // RFC 6455 §4.1 item 3: "If the response lacks a |Connection| header field or the
        // |Connection| header field doesn't contain a token that is an ASCII case-insensitive
        // match for the value "Upgrade", the client MUST _Fail the WebSocket Connection_."
        guard headers.containsToken("Upgrade", for: "Connection") else {
            throw HandshakeError(.missingConnectionUpgrade)
        }
        try validateAccept(headers)
        return ClientHandshakeResult(subprotocol: try selectedSubprotocol(headers),
            extensions: try acceptedExtensions(headers), headers: headers)
    }

    /// RFC 6455 §4.1 item 4: "If the response lacks a |Sec-WebSocket-Accept| header field or
    /// the |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the
    /// concatenation of the |Sec-WebSocket-Key| ... the client MUST _Fail the WebSocket
    /// Connection_." The parser has already removed leading and trailing whitespace.
    private func validateAccept(_ headers: HTTPHeaders) throws(HandshakeError) {
        let values = headers.values(for: "Sec-WebSocket-Accept")
        guard let value = values.first else { throw HandshakeError(.missingAccept) }
        guard values.count == 1 else { throw HandshakeError(.duplicateHeader("Sec-WebSocket-Accept")) }
        guard value == expectedAccept else { throw HandshakeError(.invalidAccept) }
    }

    /// RFC 6455 §4.1 item 6: "If the response includes a |Sec-WebSocket-Protocol| header field
    /// and this header field indicates the use of a subprotocol that was not present in the
    /// client's handshake (the server has indicated a subprotocol not requested by the
    /// client), the client MUST _Fail the WebSocket Connection_." The server selects one
    /// (§4.2.2 item 5.5), so the header must be a single token.
    private func selectedSubprotocol(_ headers: HTTPHeaders) throws(HandshakeError) -> String? {
        let values = headers.values(for: "Sec-WebSocket-Protocol")
        guard let value = values.first else { return nil }
        guard values.count == 1, HTTPGrammar.isToken(value) else {
            throw HandshakeError(.malformedSubprotocolHeader,
                message: "Sec-WebSocket-Protocol in the response must be exactly one subprotocol (RFC 6455 §4.2.2)")
        }
        guard subprotocols.contains(value) else { throw HandshakeError(.unexpectedSubprotocol(value)) }
        return value
    }

    /// RFC 6455 §4.1 item 5: "If the response includes a |Sec-WebSocket-Extensions| header
    /// field and this header field indicates the use of an extension that was not present in
    /// the client's handshake (the server has indicated an extension not requested by the
    /// client), the client MUST _Fail the WebSocket Connection_." Parameters are for the
    /// extension negotiation to judge.
    private func acceptedExtensions(_ headers: HTTPHeaders) throws(HandshakeError) -> [ExtensionElement] {
        let accepted = try ExtensionHeader.parse(headers.values(for: "Sec-WebSocket-Extensions"))
        for element in accepted where !extensions.contains(where: { $0.name == element.name }) {
            throw HandshakeError(.unexpectedExtension(element.name))
        }
        return accepted
    }
}
