/// RFC 7239's `Forwarded` request header, as far as a server behind trusted proxies reads it:
/// who each proxy says the request was for.
package enum ForwardedHeader {
    /// The `for` value of each element of a `Forwarded` field line, unquoted (nil for an
    /// element without one; empty elements skipped, RFC 9110 §5.6.1.2), or nil when the line
    /// breaks RFC 7239 §4's grammar: `forwarded-element = [ forwarded-pair ] *( ";" [
    /// forwarded-pair ] )`, `forwarded-pair = token "=" value`, `value = token /
    /// quoted-string`, elements separated by commas, each parameter at most once per element.
    /// A quoted-string must end on the line: one left open would swallow what a proxy appended.
    package static func forValues(_ field: String) -> [String?]? {
        var cursor = HTTPFieldCursor(field)
        var elements: [String?] = []
        while true {
            var names: Set<String> = []
            var forValue: String?
            repeat {
                cursor.skipWhitespace()
                guard !cursor.atEnd, cursor.peek != HTTPGrammar.comma, cursor.peek != HTTPGrammar.semicolon else { continue }
                guard let name = cursor.token(), cursor.take(HTTPGrammar.equals),
                      let value = cursor.peek == HTTPGrammar.quote ? (try? cursor.quotedString()).map({ String(decoding: $0, as: UTF8.self) })
                                                                    : cursor.token(),
                      names.insert(String(decoding: name.utf8.map(HTTPGrammar.lowercased), as: UTF8.self)).inserted else {
                    return nil
                }
                if HTTPGrammar.equalsIgnoringCase(name, "for") { forValue = value }
                cursor.skipWhitespace()
            } while cursor.take(HTTPGrammar.semicolon)
            if !names.isEmpty { elements.append(forValue) }
            if cursor.atEnd { return elements }
            guard cursor.take(HTTPGrammar.comma) else { return nil }
        }
    }
}
