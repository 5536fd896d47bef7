/// HTTP header fields in the order received or appended, duplicates kept (RFC 7230 §3.2, §3.2.2).
///
/// Lookups compare names ASCII case-insensitively (RFC 7230 §3.2: "Each header field consists of
/// a case-insensitive field name"). Equality and hashing compare names and values exactly and in
/// order. Values are stored as given; the builders in this module validate every field with
/// ``isValidFieldName(_:)`` and ``isValidFieldValue(_:)`` before emitting anything.
public struct HTTPHeaders: Sequence, Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One `name: value` pair.
    struct Field: Hashable, Sendable {
        var name: String
        var value: String
    }

    private var fields: [Field] = []

    /// Creates an empty header list.
    public init() {}

    /// Creates a header list from a literal, keeping the literal's order and duplicates.
    ///
    /// - Parameter elements: `(name, value)` pairs.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The number of fields, duplicates included.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field, keeping any existing field of the same name (RFC 7230 §3.2.2).
    ///
    /// - Parameters:
    ///   - name: The field name; should be a `token` (RFC 7230 §3.2.6).
    ///   - value: The field value, without leading or trailing whitespace.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces the value of the first field named `name` (case-insensitively) and removes the
    /// others of that name; appends a new field if there is none (RFC 7230 §3.2.2).
    ///
    /// - Parameters:
    ///   - name: The field name.
    ///   - value: The new value.
    public mutating func replaceOrAppend(name: String, value: String) {
        guard let index = fields.firstIndex(where: { Self.matches($0, name) }) else {
            append(name: name, value: value)
            return
        }
        fields[index].value = value
        let tail = fields[(index + 1)...].filter { !Self.matches($0, name) }
        fields.replaceSubrange((index + 1)..., with: tail)
    }

    /// Removes every field named `name` (case-insensitively).
    ///
    /// - Parameter name: The field name.
    public mutating func remove(name: String) {
        fields.removeAll { Self.matches($0, name) }
    }

    /// The values of every field named `name` (case-insensitively), in order (RFC 7230 §3.2.2).
    ///
    /// - Parameter name: The field name.
    public func values(for name: String) -> [String] {
        fields.filter { Self.matches($0, name) }.map(\.value)
    }

    /// The value of the first field named `name` (case-insensitively), if any.
    ///
    /// - Parameter name: The field name.
    public func first(_ name: String) -> String? {
        fields.first { Self.matches($0, name) }?.value
    }

    /// Whether a field named `name` (case-insensitively) is present.
    ///
    /// - Parameter name: The field name.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.matches($0, name) }
    }

    /// The elements of a comma-separated list header, across all its fields (RFC 7230 §7
    /// `#rule`): each value split on commas, trimmed of OWS, empty elements dropped ("a recipient
    /// MUST accept lists that contain empty list elements").
    ///
    /// Use it for token lists such as `Connection`, `Upgrade` and `Sec-WebSocket-Protocol`
    /// (RFC 6455 §4.1, §11.3.4). It does not understand quoted strings; parse
    /// `Sec-WebSocket-Extensions` with ``ExtensionHeader/parse(_:)``.
    ///
    /// - Parameter name: The field name.
    public func tokens(for name: String) -> [String] {
        values(for: name).flatMap { value in
            value.utf8.split(separator: HTTPGrammar.comma, omittingEmptySubsequences: false)
                .map { HTTPGrammar.trimmingWhitespace(ArraySlice($0)) }
                .filter { !$0.isEmpty }
                .map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Returns an iterator over `(name, value)` pairs in order.
    public func makeIterator() -> Iterator { Iterator(fields: fields.makeIterator()) }

    /// Iterates `(name, value)` pairs in order.
    public struct Iterator: IteratorProtocol {
        fileprivate var fields: IndexingIterator<[Field]>

        /// The next pair, or `nil` at the end.
        public mutating func next() -> (name: String, value: String)? {
            fields.next().map { (name: $0.name, value: $0.value) }
        }
    }

    /// Whether `name` is a valid field name: `field-name = token` (RFC 7230 §3.2, §3.2.6).
    ///
    /// - Parameter name: The candidate name.
    public static func isValidFieldName(_ name: String) -> Bool { HTTPGrammar.isToken(name) }

    /// Whether `value` may be sent as a field value (RFC 7230 §3.2 `field-value`, no
    /// `obs-fold`): no CR, LF, NUL or other control character except HTAB, no DEL, and no
    /// leading or trailing whitespace (a recipient strips it, so the value would change).
    /// Non-ASCII UTF-8 is allowed as `obs-text`.
    ///
    /// - Parameter value: The candidate value.
    public static func isValidFieldValue(_ value: String) -> Bool {
        HTTPGrammar.isFieldValue(value.utf8)
    }

    private static func matches(_ field: Field, _ name: String) -> Bool {
        HTTPGrammar.equalsIgnoringCase(field.name, name)
    }
}

extension HTTPHeaders {
    /// Whether the list header `name` contains `token`, compared ASCII case-insensitively, as
    /// RFC 6455 §4.1 and §4.2.1 require for `Upgrade: websocket` and `Connection: Upgrade`
    /// (e.g. `Connection: keep-alive, Upgrade`).
    ///
    /// - Parameters:
    ///   - token: The token to look for.
    ///   - name: The list header's name.
    public func containsToken(_ token: String, for name: String) -> Bool {
        tokens(for: name).contains { HTTPGrammar.equalsIgnoringCase($0, token) }
    }
}
