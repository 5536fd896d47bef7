/// A recursive-descent scanner over one `Sec-WebSocket-Extensions` field value (RFC 6455 §9.1).
struct ExtensionHeaderScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ value: String) {
        bytes = Array(value.utf8)
    }

    /// `#extension` (RFC 7230 §7): elements separated by `OWS "," OWS`, empty ones ignored.
    mutating func parseList() throws(HandshakeError) -> [ExtensionElement] {
        var elements: [ExtensionElement] = []
        while true {
            skipWhitespace()
            guard let byte = peek() else { return elements }
            if byte == HTTPGrammar.comma {
                position += 1
                continue
            }
            elements.append(try parseElement())
            skipWhitespace()
            guard let separator = peek() else { return elements }
            guard separator == HTTPGrammar.comma else { throw malformed("expected ',' between extensions") }
        }
    }

    /// `extension = extension-token *( ";" extension-param )`.
    private mutating func parseElement() throws(HandshakeError) -> ExtensionElement {
        let name = try parseToken("extension name")
        var parameters: [ExtensionParameter] = []
        while true {
            skipWhitespace()
            guard peek() == HTTPGrammar.semicolon else { break }
            position += 1
            skipWhitespace()
            parameters.append(try parseParameter())
        }
        return ExtensionElement(name: name, parameters: parameters)
    }

    /// `extension-param = token [ "=" (token | quoted-string) ]`.
    private mutating func parseParameter() throws(HandshakeError) -> ExtensionParameter {
        let name = try parseToken("parameter name")
        let afterName = position
        skipWhitespace()
        guard peek() == HTTPGrammar.equals else {
            position = afterName
            return ExtensionParameter(name: name)
        }
        position += 1
        skipWhitespace()
        guard peek() == HTTPGrammar.quote else {
            return ExtensionParameter(name: name, value: try parseToken("parameter value"))
        }
        let value = try parseQuotedString()
        // RFC 6455 §9.1: "When using the quoted-string syntax variant, the value after
        // quoted-string unescaping MUST conform to the 'token' ABNF."
        guard HTTPGrammar.isToken(value) else { throw malformed("quoted value is not a token") }
        return ExtensionParameter(name: name, value: String(decoding: value, as: UTF8.self))
    }

    /// `token = 1*tchar` (RFC 7230 §3.2.6).
    private mutating func parseToken(_ what: String) throws(HandshakeError) -> String {
        let start = position
        while let byte = peek(), HTTPGrammar.isTokenCharacter(byte) { position += 1 }
        guard position > start else { throw malformed("expected a token for the " + what) }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE`, returning the unescaped
    /// content (RFC 7230 §3.2.6).
    private mutating func parseQuotedString() throws(HandshakeError) -> [UInt8] {
        position += 1
        var content: [UInt8] = []
        while let byte = peek() {
            position += 1
            switch byte {
            case HTTPGrammar.quote:
                return content
            case HTTPGrammar.backslash:
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard let escaped = peek(), HTTPGrammar.isFieldCharacter(escaped) else {
                    throw malformed("invalid quoted-pair")
                }
                position += 1
                content.append(escaped)
            default:
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                guard HTTPGrammar.isFieldCharacter(byte) else { throw malformed("invalid character in quoted-string") }
                content.append(byte)
            }
        }
        throw malformed("unterminated quoted-string")
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), HTTPGrammar.isWhitespace(byte) { position += 1 }
    }

    private func malformed(_ detail: String) -> HandshakeError {
        HandshakeError(.malformedExtensionHeader,
            message: "malformed Sec-WebSocket-Extensions header (RFC 6455 §9.1): " + detail)
    }
}
