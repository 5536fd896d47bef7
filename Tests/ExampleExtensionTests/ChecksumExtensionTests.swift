import ExampleExtension
import PerMessageDeflate
import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// A client and a server Core connected through the real opening handshake.
struct Pair {
    var client: Connection
    var server: Connection
    var negotiated: [ExtensionElement] = []

    init(_ extensions: [any ExtensionFactory], server serverExtensions: [any ExtensionFactory]? = nil) throws {
        var clientConfiguration = Configuration()
        clientConfiguration.extensions = extensions
        var serverConfiguration = Configuration()
        serverConfiguration.extensions = serverExtensions ?? extensions
        (client, server, negotiated) = try Harness.openPair(
            client: clientConfiguration, server: serverConfiguration, seed: 5)
    }

    /// Delivers the client's output to the server and returns the wire frames and the events.
    mutating func clientToServer() throws -> (frames: [Frame], events: [Event]) {
        let bytes = client.takeOutput()
        let frames = try Harness.frames(in: bytes, sentBy: .client)
        server.receive(bytes)
        return (frames, server.takeEvents())
    }
}

func messages(_ events: [Event]) -> [Message] {
    events.compactMap { if case .message(let message) = $0 { message } else { nil } }
}

func closeCode(_ events: [Event]) -> UInt16? {
    for case .closed(let info) in events { return info.code.rawValue }
    return nil
}

/// A server that accepted `x-checksum`.
func checksumServer() throws -> Connection {
    var configuration = Configuration()
    configuration.extensions = [Checksum()]
    return try Harness.openServer(configuration, extraHeaders: ["Sec-WebSocket-Extensions: x-checksum"])
}

@Suite("x-checksum, the example extension")
struct ChecksumExtensionTests {
    @Test("CRC-32 check values", arguments: [
        ("", UInt32(0)), ("a", 0xE8B7_BE43), ("123456789", 0xCBF4_3926),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ])
    func crc32(_ text: String, _ expected: UInt32) {
        #expect(CRC32(Array(text.utf8)).value == expected)
        var incremental = CRC32()
        for byte in text.utf8 { incremental.update(with: [byte]) }
        #expect(incremental.value == expected)
    }

    @Test("Messages carry RSV2 on their first frame and the CRC-32 at the end of their last")
    func wireFormat() throws {
        var pair = try Pair([Checksum()])
        #expect(pair.negotiated == [ExtensionElement(name: "x-checksum")])
        try pair.client.send(text: "123456789")
        try pair.client.sendFragment(Array("1234".utf8), opcode: .binary, isFinal: false)
        try pair.client.sendFragment(Array("56789".utf8), opcode: .continuation, isFinal: true)
        let (frames, events) = try pair.clientToServer()
        #expect(frames.map(\.reservedBits) == [.rsv2, .rsv2, []])
        #expect(frames[0].payload == Array("123456789".utf8) + [0xCB, 0xF4, 0x39, 0x26])
        #expect(frames[1].payload == Array("1234".utf8))
        #expect(frames[2].payload == Array("56789".utf8) + [0xCB, 0xF4, 0x39, 0x26])
        #expect(messages(events) == [.text("123456789"), .binary(Array("123456789".utf8))])
    }

    @Test("Datagrams: opcode 0x3, one frame, checksummed, delivered as extension frames")
    func datagrams() throws {
        var pair = try Pair([Checksum()])
        try pair.client.sendExtensionFrame(Frame(opcode: ChecksumExtension.datagram, payload: Array("ping?".utf8)))
        let (frames, events) = try pair.clientToServer()
        #expect(frames.map(\.opcode.rawValue) == [0x3])
        #expect(frames[0].payload.count == 9)
        guard case .extensionFrame(let frame) = events.first else {
            Issue.record("no extension frame: \(events)")
            return
        }
        #expect(frame.opcode == ChecksumExtension.datagram && frame.payload == Array("ping?".utf8))
    }

    @Test("A wrong checksum fails with 1007")
    func wrongChecksum() throws {
        var server = try checksumServer()
        server.receiveFrame(0x1, Array("123456789".utf8) + [0xCB, 0xF4, 0x39, 0x27], rsv: 0x20)
        #expect(closeCode(server.takeEvents()) == 1007)
    }

    @Test("Framing violations fail with 1002", arguments: [
        [(UInt8(0x1), [UInt8](Array("ab".utf8)), false, UInt8(0x20)), (0x0, [0x61], true, 0x20)],  // RSV2 on a continuation
        [(0x9, [], true, 0x20)],                                                                 // RSV2 on a ping
        [(0x1, [0x61, 0x62], true, 0x20)],                                                       // shorter than its checksum
        [(0x3, [0x61, 0x62, 0x63, 0x64, 0x65], false, 0)],                                      // fragmented datagram
        [(0x2, [0x61], false, 0), (0x3, CRC32([0x61]).bigEndianBytes, true, 0)],                 // datagram inside a message
    ] as [[(UInt8, [UInt8], Bool, UInt8)]])
    func framingViolations(_ frames: [(UInt8, [UInt8], Bool, UInt8)]) throws {
        var server = try checksumServer()
        for (opcode, payload, fin, rsv) in frames {
            server.receiveFrame(opcode, payload, fin: fin, rsv: rsv)
        }
        #expect(closeCode(server.takeEvents()) == 1002)
    }

    @Test("Unmarked messages from the peer pass through unchecked")
    func unmarkedMessages() throws {
        var server = try checksumServer()
        server.receiveFrame(0x1, Array("plain".utf8))
        #expect(server.receivedMessages() == [.text("plain")])
    }

    @Test("Invalid UTF-8 in a checked text message fails with 1007 once the checksum is stripped")
    func utf8AfterDecoding() throws {
        var server = try checksumServer()
        let payload: [UInt8] = [0x61, 0xC3]
        server.receiveFrame(0x1, payload + CRC32(payload).bigEndianBytes, rsv: 0x20)
        #expect(closeCode(server.takeEvents()) == 1007)
    }

    @Test("Marking with RSV2 keeps the Core's early UTF-8 check off the checksum bytes")
    func trailerIsNotValidatedAsText() throws {
        // CRC-32("é") is 0e 04 8d 3e: 0x8d is not UTF-8. Fed a byte at a time, the Core checks
        // unmarked text frames as they arrive, so only the marked frame gets through.
        let payload = Array("é".utf8) + CRC32(Array("é".utf8)).bigEndianBytes
        #expect(payload.suffix(4) == [0x0E, 0x04, 0x8D, 0x3E])
        var marked = try checksumServer()
        for byte in Wire.frame(0x1, payload, rsv: 0x20, masked: true) { marked.receive([byte]) }
        #expect(marked.receivedMessages() == [.text("é")])
        var unmarked = try checksumServer()
        for byte in Wire.frame(0x1, payload, masked: true) { unmarked.receive([byte]) }
        #expect(closeCode(unmarked.takeEvents()) == 1007)
    }

    @Test("A server without x-checksum declines it; parameters are declined or refused")
    func negotiation() throws {
        let factory = Checksum()
        #expect(try factory.negotiateClientOffers([ExtensionElement(name: "x-checksum", parameters: [ExtensionParameter(name: "a")])]) == nil)
        #expect(throws: ExtensionError.self) {
            _ = try factory.acceptServerResponse(ExtensionElement(name: "x-checksum", parameters: [ExtensionParameter(name: "a")]))
        }
        let pair = try Pair([Checksum()], server: [])
        #expect(pair.negotiated.isEmpty)
    }

    @Test("With permessage-deflate: RSV1 and RSV2 together, both orders", arguments: [true, false])
    func withPermessageDeflate(_ deflateFirst: Bool) throws {
        let deflate = PerMessageDeflate(compressionThreshold: 0)
        let extensions: [any ExtensionFactory] = deflateFirst ? [deflate, Checksum()] : [Checksum(), deflate]
        var pair = try Pair(extensions)
        #expect(pair.negotiated.map(\.name) == extensions.map(\.name))
        let text = String(repeating: "compressed and checksummed ", count: 40)
        try pair.client.send(text: text)
        try pair.client.sendFragment(Array("frag".utf8), opcode: .text, isFinal: false)
        try pair.client.sendFragment(Array("mented".utf8), opcode: .continuation, isFinal: true)
        let (frames, events) = try pair.clientToServer()
        #expect(frames.map(\.reservedBits) == [[.rsv1, .rsv2], [.rsv1, .rsv2], []])
        #expect(frames[0].payload.count < text.utf8.count / 4)
        #expect(messages(events) == [.text(text), .text("fragmented")])
    }
}
