import Testing
import WebSocketHandshake

@Suite("RFC 6455 §1.3 and §4.2.2 Sec-WebSocket-Key and Sec-WebSocket-Accept")
struct WebSocketKeyTests {
    /// RFC 6455 §1.3: "dGhlIHNhbXBsZSBub25jZQ==" → "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
    @Test func rfcExampleAcceptValue() {
        #expect(WebSocketKey.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(WebSocketKey.guid == "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    }

    /// The key is hashed as sent, not decoded (RFC 6455 §4.2.2 item 5.4).
    @Test func hashesTheKeyText() {
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        #expect(WebSocketKey.acceptValue(for: key) == Base64.encode(SHA1.hash(bytes(key + WebSocketKey.guid))))
    }

    @Test func generatesSixteenRandomBytes() throws {
        var generator = SeededGenerator(state: 42)
        let first = WebSocketKey.generate(using: &generator)
        let second = WebSocketKey.generate(using: &generator)
        #expect(first.utf8.count == 24)
        #expect(Base64.decode(first)?.count == 16)
        #expect(WebSocketKey.isValid(first))
        #expect(first != second)
        var again = SeededGenerator(state: 42)
        #expect(WebSocketKey.generate(using: &again) == first)
        #expect(WebSocketKey.isValid(WebSocketKey.generate()))
    }

    @Test(arguments: [
        ("dGhlIHNhbXBsZSBub25jZQ==", true), ("AAAAAAAAAAAAAAAAAAAAAA==", true),
        ("", false), ("dGhlIHNhbXBsZSBub25jZQ", false), ("dGhlIHNhbXBsZSBub25jZQ=", false),
        ("AAAAAAAAAAAAAAAAAAAA", false), ("AAAAAAAAAAAAAAAAAAAAAAA=", false),
        ("dGhlIHNhbXBsZSBub25jZR==", false), (" dGhlIHNhbXBsZSBub25jZQ==", false),
        ("dGhlIHNhbXBsZSBub25jZQ==\r\n", false), ("dGhlIHNhbXBsZSBub25jZQ-_", false),
    ])
    func validatesKeys(key: String, isValid: Bool) {
        #expect(WebSocketKey.isValid(key) == isValid)
    }
}
