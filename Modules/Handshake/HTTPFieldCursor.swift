/// A cursor over one header field value's bytes, reading the tokens and quoted strings of
/// RFC 9110 §5.6 (RFC 7230 §3.2.6): what ``ExtensionHeaderScanner`` and ``ForwardedHeader``
/// read their grammars with.
struct HTTPFieldCursor {
    private let bytes: [UInt8]
    private var position = 0

    init(_ value: String) {
        bytes = Array(value.utf8)
    }

    /// Why a quoted-string could not be read.
    enum QuotedStringFailure: Error, CustomStringConvertible {
        case invalidQuotedPair, invalidCharacter, unterminated

        var description: String {
            switch self {
            case .invalidQuotedPair: "invalid quoted-pair"
            case .invalidCharacter: "invalid character in quoted-string"
            case .unterminated: "unterminated quoted-string"
            }
        }
    }

    var atEnd: Bool { position == bytes.count }

    /// The next byte, nil at the end.
    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// The position, to go back to (``rewind(to:)``).
    var mark: Int { position }

    mutating func rewind(to mark: Int) {
        position = mark
    }

    /// Skips `OWS` (RFC 7230 §3.2.3).
    mutating func skipWhitespace() {
        while let byte = peek, HTTPGrammar.isWhitespace(byte) { position += 1 }
    }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        position += 1
        return true
    }

    /// `token = 1*tchar` (RFC 7230 §3.2.6); nil, consuming nothing, when no tchar is next.
    mutating func token() -> String? {
        let start = position
        while let byte = peek, HTTPGrammar.isTokenCharacter(byte) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 7230 §3.2.6), the cursor
    /// on its opening quote; returns the unescaped content. It must end within the value.
    mutating func quotedString() throws(QuotedStringFailure) -> [UInt8] {
        position += 1
        var content: [UInt8] = []
        while let byte = peek {
            position += 1
            switch byte {
            case HTTPGrammar.quote:
                return content
            case HTTPGrammar.backslash:
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard let escaped = peek, HTTPGrammar.isFieldCharacter(escaped) else { throw .invalidQuotedPair }
                position += 1
                content.append(escaped)
            default:
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                guard HTTPGrammar.isFieldCharacter(byte) else { throw .invalidCharacter }
                content.append(byte)
            }
        }
        throw .unterminated
    }
}
