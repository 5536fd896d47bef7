/// Builds an HTTP/1.1 head into bytes (RFC 7230 §3): a start line, header fields, and the empty
/// line. Callers check every name and value before writing; ``validate(_:reserving:)`` does that
/// for caller-supplied headers, so nothing is built from unchecked input.
struct HTTPHeadWriter {
    private(set) var bytes: [UInt8] = []

    /// Starts a head with its start line.
    init(startLine: String) {
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: startLine.utf8)
        appendLineEnd()
    }

    /// Writes `name: value` CRLF; both already validated.
    mutating func append(name: String, value: String) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(HTTPGrammar.colon)
        bytes.append(HTTPGrammar.space)
        bytes.append(contentsOf: value.utf8)
        appendLineEnd()
    }

    /// Writes every field of `headers`, validated by ``validate(_:reserving:)``.
    mutating func append(_ headers: HTTPHeaders) {
        for (name, value) in headers { append(name: name, value: value) }
    }

    /// Ends the head with the empty line and appends `body`.
    consuming func finish(body: [UInt8] = []) -> [UInt8] {
        appendLineEnd()
        bytes.append(contentsOf: body)
        return bytes
    }

    private mutating func appendLineEnd() {
        bytes.append(HTTPGrammar.cr)
        bytes.append(HTTPGrammar.lf)
    }

    /// Throws unless every field has a token name (RFC 7230 §3.2), a value with no CR, LF, NUL
    /// or other control character (RFC 7230 §3.2; RFC 9110 §5.5: "a sender MUST NOT generate"
    /// them), and a name not in `reserved` (compared case-insensitively).
    static func validate(_ headers: HTTPHeaders, reserving reserved: [String]) throws(HandshakeError) {
        for (name, value) in headers {
            guard HTTPHeaders.isValidFieldName(name) else { throw HandshakeError(.invalidHeaderName(name)) }
            guard HTTPHeaders.isValidFieldValue(value) else {
                throw HandshakeError(.invalidHeaderValue(name: name))
            }
            if reserved.contains(where: { HTTPGrammar.equalsIgnoringCase($0, name) }) {
                throw HandshakeError(.reservedHeader(name))
            }
        }
    }
}
