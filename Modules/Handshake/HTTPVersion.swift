/// `HTTP-version = HTTP-name "/" DIGIT "." DIGIT` with `HTTP-name = %x48.54.54.50` ("HTTP",
/// case-sensitive) (RFC 7230 §2.6).
struct HTTPVersion: Hashable, Sendable {
    var major: Int
    var minor: Int

    /// Parses an HTTP-version, or returns `nil` if it does not follow RFC 7230 §2.6.
    init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, bytes[0..<5].elementsEqual("HTTP/".utf8),
            bytes[6] == UInt8(ascii: "."),
            let major = Self.digit(bytes[5]), let minor = Self.digit(bytes[7])
        else { return nil }
        self.major = major
        self.minor = minor
    }

    /// Whether this is HTTP/1.1 or a later 1.x. RFC 6455 §4.1: "the HTTP version MUST be at
    /// least 1.1"; a 2.x or later version cannot appear in HTTP/1.1 syntax (RFC 7230 §2.6).
    var isAtLeast11: Bool { major == 1 && minor >= 1 }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
