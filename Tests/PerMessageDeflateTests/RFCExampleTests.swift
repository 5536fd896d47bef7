import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport
@testable import PerMessageDeflate

/// RFC 7692 §7.2.3's examples, byte for byte, through a client Core (server frames are not
/// masked, so the RFC's bytes go on the wire as they are).
@Suite("RFC 7692 §7.2.3 Examples")
struct RFCExampleTests {
    /// One example: the bytes a server sends and the messages they decode to.
    struct Example: Sendable, CustomTestStringConvertible {
        var name: String
        var wire: [UInt8]
        var messages: [String]
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(name: "§7.2.3.1 \"Hello\" in one compressed frame",
                wire: [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00], messages: ["Hello"]),
        Example(name: "§7.2.3.1 the same, in two fragments",
                wire: [0x41, 0x03, 0xF2, 0x48, 0xCD, 0x80, 0x04, 0xC9, 0xC9, 0x07, 0x00], messages: ["Hello"]),
        Example(name: "§7.2.3.2 a second \"Hello\" with a shared LZ77 window",
                wire: [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00],
                messages: ["Hello", "Hello"]),
        Example(name: "§7.2.3.3 a DEFLATE block with no compression",
                wire: [0xC1, 0x0B, 0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00], messages: ["Hello"]),
        Example(name: "§7.2.3.4 a DEFLATE block with BFINAL set",
                wire: [0xC1, 0x08, 0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00], messages: ["Hello"]),
        Example(name: "§7.2.3.4 BFINAL, then a message that refers back across it",
                wire: [0xC1, 0x08, 0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00],
                messages: ["Hello", "Hello"]),
        Example(name: "BFINAL without the trailing stored-block byte (lenient)",
                wire: [0xC1, 0x07, 0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00],
                messages: ["Hello", "Hello"]),
        Example(name: "§7.2.3.5 two DEFLATE blocks in one message",
                wire: [0xC1, 0x0D, 0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00],
                messages: ["Hello"]),
        Example(name: "§7.2.3.6 an empty fragment: one 0x00 byte",
                wire: [0xC1, 0x01, 0x00], messages: [""]),
        Example(name: "an empty payload with RSV1 (lenient)", wire: [0xC1, 0x00], messages: [""]),
        Example(name: "an empty message between two that share the window",
                wire: [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0xC1, 0x01, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00],
                messages: ["Hello", "", "Hello"]),
        Example(name: "an uncompressed message on a compressing connection",
                wire: [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], messages: ["Hello"]),
    ]

    @Test("Decoding", arguments: examples)
    func decode(_ example: Example) throws {
        var client = try deflateClient()
        client.receive(example.wire)
        let events = client.takeEvents()
        let messages = events.compactMap { event -> String? in
            if case .message(let message) = event { return message.text }
            return nil
        }
        #expect(messages == example.messages, "\(events)")
        #expect(client.phase == .open)
    }

    @Test("Each example fed one byte at a time", arguments: examples)
    func decodeByteByByte(_ example: Example) throws {
        var client = try deflateClient()
        for byte in example.wire { client.receive([byte]) }
        #expect(client.receivedMessages().compactMap(\.text) == example.messages)
    }

    @Test("\"Hello\" at the default level compresses to f2 48 cd c9 c9 07 00, then f2 00 11 00 00")
    func encodeHello() throws {
        var server = try deflateServer(PerMessageDeflate(compressionThreshold: 0))
        try server.send(text: "Hello")
        #expect(server.takeOutput() == [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        try server.send(text: "Hello")
        #expect(server.takeOutput() == [0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00])
        try server.send(text: "")
        #expect(server.takeOutput() == [0xC1, 0x01, 0x00])
    }

    @Test("Without context takeover the second \"Hello\" is compressed afresh")
    func encodeHelloWithoutTakeover() throws {
        var server = try deflateServer(PerMessageDeflate(compressionThreshold: 0), offer: "server_no_context_takeover")
        for _ in 0..<2 {
            try server.send(text: "Hello")
            #expect(server.takeOutput() == [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        }
    }

    @Test("The extension alone: encode and decode of the §7.2.3.1 bytes")
    func extensionLevel() throws {
        var sender = PerMessageDeflateExtension(settings: DeflateSettings(compressionThreshold: 0))
        let frame = try sender.encode(Frame(opcode: .text, payload: Array("Hello".utf8)), context: EncodingContext())
        #expect(frame.payload == [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        #expect(frame.reservedBits == .rsv1)
        var receiver = PerMessageDeflateExtension(settings: DeflateSettings())
        let decoded = try receiver.decode(frame, context: DecodingContext(maxPayloadSize: 5))
        #expect(decoded.payload == Array("Hello".utf8))
        #expect(decoded.reservedBits.isEmpty)
    }
}
