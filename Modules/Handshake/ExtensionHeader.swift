/// The `Sec-WebSocket-Extensions` header grammar (RFC 6455 §9.1, with `token` and
/// `quoted-string` from RFC 7230 §3.2.6 and the list rule of RFC 7230 §7):
///
/// ```
/// Sec-WebSocket-Extensions = extension-list
/// extension-list = 1#extension
/// extension = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// ```
public enum ExtensionHeader {
    /// Parses every `Sec-WebSocket-Extensions` field value, in order, into elements.
    ///
    /// The values are one list (RFC 7230 §3.2.2: fields with the same name combine into one
    /// comma-separated list), so order and duplicates are kept, of both elements and
    /// parameters. Empty list elements (`a, , b`) are ignored (RFC 7230 §7: "a recipient MUST
    /// accept lists that contain empty list elements"), but `1#extension` needs at least one
    /// element, so a header with none is malformed. OWS is allowed around `,`, `;` and `=`.
    ///
    /// - Parameter values: The field values, e.g. `headers.values(for: "Sec-WebSocket-Extensions")`;
    ///   an empty array means the header is absent and yields no elements.
    /// - Returns: The elements in order.
    /// - Throws: ``HandshakeError/Kind/malformedExtensionHeader`` for anything else, including
    ///   a quoted value that is not a token once unescaped.
    public static func parse(_ values: [String]) throws(HandshakeError) -> [ExtensionElement] {
        guard !values.isEmpty else { return [] }
        var elements: [ExtensionElement] = []
        for value in values {
            var scanner = ExtensionHeaderScanner(value)
            elements += try scanner.parseList()
        }
        guard !elements.isEmpty else {
            throw HandshakeError(.malformedExtensionHeader,
                message: "Sec-WebSocket-Extensions needs at least one extension (RFC 6455 §9.1 `1#extension`)")
        }
        return elements
    }

    /// Serializes elements as one field value: `name; p; q=v, other`.
    ///
    /// Values are written as tokens; a value that is not a token (which RFC 6455 §9.1 forbids)
    /// is written as a quoted-string. Check ``ExtensionElement/isValid`` first; the handshake
    /// builders do. Don't send the header when the result is empty (uWS.js #76).
    ///
    /// - Parameter elements: The elements, in order.
    /// - Returns: The field value; empty for no elements.
    public static func serialize(_ elements: [ExtensionElement]) -> String {
        elements.map(\.description).joined(separator: ", ")
    }

    /// Throws unless every element is valid (RFC 6455 §9.1).
    static func validate(_ elements: [ExtensionElement]) throws(HandshakeError) {
        if let invalid = elements.first(where: { !$0.isValid }) {
            throw HandshakeError(.invalidExtension(invalid.name))
        }
    }
}
