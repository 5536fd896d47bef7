/// One `extension-param = token [ "=" (token | quoted-string) ]` of an extension (RFC 6455
/// §9.1), e.g. `client_max_window_bits=10` (RFC 7692 §7.1.2).
public struct ExtensionParameter: Hashable, Sendable, CustomStringConvertible {
    /// The parameter name, a token (RFC 6455 §9.1).
    public var name: String

    /// The value, unescaped if it was a quoted-string; `nil` for a parameter without `=`.
    /// RFC 6455 §9.1: "the value after quoted-string unescaping MUST conform to the 'token'
    /// ABNF".
    public var value: String?

    /// Creates a parameter.
    ///
    /// - Parameters:
    ///   - name: The parameter name, a token.
    ///   - value: The value, a token, or `nil` for none.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// Whether the name and value are tokens, as RFC 6455 §9.1 requires.
    public var isValid: Bool {
        HTTPGrammar.isToken(name) && (value.map(HTTPGrammar.isToken) ?? true)
    }

    /// The parameter as it appears in the header: `name` or `name=value`.
    public var description: String {
        guard let value else { return name }
        return name + "=" + (HTTPGrammar.isToken(value) ? value : Self.quotedString(value))
    }

    /// `quoted-string` (RFC 7230 §3.2.6), escaping `"` and `\`. Only reached for values that are
    /// not tokens, which RFC 6455 §9.1 does not allow; builders reject those first.
    private static func quotedString(_ value: String) -> String {
        var bytes: [UInt8] = [HTTPGrammar.quote]
        for byte in value.utf8 {
            if byte == HTTPGrammar.quote || byte == HTTPGrammar.backslash { bytes.append(HTTPGrammar.backslash) }
            bytes.append(byte)
        }
        bytes.append(HTTPGrammar.quote)
        return String(decoding: bytes, as: UTF8.self)
    }
}
