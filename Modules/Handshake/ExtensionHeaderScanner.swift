/// A recursive-descent scanner over one `Sec-WebSocket-Extensions` field value (RFC 6455 §9.1).
struct ExtensionHeaderScanner {
    private var cursor: HTTPFieldCursor

    init(_ value: String) {
        cursor = HTTPFieldCursor(value)
    }

    /// `#extension` (RFC 7230 §7): elements separated by `OWS "," OWS`, empty ones ignored.
    mutating func parseList() throws(HandshakeError) -> [ExtensionElement] {
        var elements: [ExtensionElement] = []
        while true {
            cursor.skipWhitespace()
            guard !cursor.atEnd else { return elements }
            if cursor.take(HTTPGrammar.comma) { continue }
            elements.append(try parseElement())
            cursor.skipWhitespace()
            guard let separator = cursor.peek else { return elements }
            guard separator == HTTPGrammar.comma else { throw malformed("expected ',' between extensions") }
        }
    }

    /// `extension = extension-token *( ";" extension-param )`.
    private mutating func parseElement() throws(HandshakeError) -> ExtensionElement {
        let name = try parseToken("extension name")
        var parameters: [ExtensionParameter] = []
        while true {
            cursor.skipWhitespace()
            guard cursor.take(HTTPGrammar.semicolon) else { break }
            cursor.skipWhitespace()
            parameters.append(try parseParameter())
        }
        return ExtensionElement(name: name, parameters: parameters)
    }

    /// `extension-param = token [ "=" (token | quoted-string) ]`.
    private mutating func parseParameter() throws(HandshakeError) -> ExtensionParameter {
        let name = try parseToken("parameter name")
        let afterName = cursor.mark
        cursor.skipWhitespace()
        guard cursor.take(HTTPGrammar.equals) else {
            cursor.rewind(to: afterName)
            return ExtensionParameter(name: name)
        }
        cursor.skipWhitespace()
        guard cursor.peek == HTTPGrammar.quote else {
            return ExtensionParameter(name: name, value: try parseToken("parameter value"))
        }
        let value: [UInt8]
        do {
            value = try cursor.quotedString()
        } catch {
            throw malformed(error.description)
        }
        // RFC 6455 §9.1: "When using the quoted-string syntax variant, the value after
        // quoted-string unescaping MUST conform to the 'token' ABNF."
        guard HTTPGrammar.isToken(value) else { throw malformed("quoted value is not a token") }
        return ExtensionParameter(name: name, value: String(decoding: value, as: UTF8.self))
    }

    /// `token = 1*tchar` (RFC 7230 §3.2.6).
    private mutating func parseToken(_ what: String) throws(HandshakeError) -> String {
        guard let token = cursor.token() else { throw malformed("expected a token for the " + what) }
        return token
    }

    private func malformed(_ detail: String) -> HandshakeError {
        HandshakeError(.malformedExtensionHeader,
            message: "malformed Sec-WebSocket-Extensions header (RFC 6455 §9.1): " + detail)
    }
}
