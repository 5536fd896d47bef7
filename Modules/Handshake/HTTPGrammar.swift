/// Character classes and small helpers from the HTTP/1.1 grammar (RFC 7230 §3.2, §3.2.3,
/// §3.2.6), over UTF-8 bytes. Header names and tokens are ASCII, so case folding is ASCII only.
package enum HTTPGrammar {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let delete: UInt8 = 0x7F

    /// The `tchar` symbols of RFC 7230 §3.2.6 (besides DIGIT and ALPHA).
    private static let tokenSymbols: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)

    /// `tchar` (RFC 7230 §3.2.6).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            tokenSymbols.contains(byte)
        }
    }

    /// `token = 1*tchar` (RFC 7230 §3.2.6).
    static func isToken<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        !bytes.isEmpty && bytes.allSatisfy(isTokenCharacter)
    }

    /// `token = 1*tchar` (RFC 7230 §3.2.6).
    static func isToken(_ string: String) -> Bool { isToken(string.utf8) }

    /// `OWS` characters: SP and HTAB (RFC 7230 §3.2.3).
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// `field-vchar / SP / HTAB`, with `obs-text` (RFC 7230 §3.2): anything but CTLs other than
    /// HTAB, and DEL.
    static func isFieldCharacter(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= space && byte != delete)
    }

    /// `field-value` without `obs-fold` (RFC 7230 §3.2): field characters only, and no leading or
    /// trailing whitespace (which a recipient would strip, changing the value).
    static func isFieldValue<C: BidirectionalCollection>(_ bytes: C) -> Bool
    where C.Element == UInt8 {
        guard bytes.allSatisfy(isFieldCharacter) else { return false }
        guard let first = bytes.first, let last = bytes.last else { return true }
        return !isWhitespace(first) && !isWhitespace(last)
    }

    /// `VCHAR` (RFC 5234 B.1): visible US-ASCII.
    static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > space && byte < delete }

    /// Removes leading and trailing `OWS` (RFC 7230 §3.2.3).
    static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }

    /// Removes leading and trailing `OWS` (RFC 7230 §3.2.3).
    package static func trimmingWhitespace(_ string: some StringProtocol) -> String {
        String(decoding: trimmingWhitespace(ArraySlice(string.utf8)), as: UTF8.self)
    }

    /// ASCII lower-casing of one byte; other bytes are unchanged.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// ASCII case-insensitive equality, as RFC 7230 §3.2 prescribes for field names and RFC 6455
    /// §4.1 for the `websocket` and `Upgrade` tokens.
    static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { lowercased($0) == lowercased($1) }
    }
}
