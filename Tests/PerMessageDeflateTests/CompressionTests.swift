import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport
@testable import PerMessageDeflate

/// RFC 7692 §7.2.1 and §7.2.2: what one side compresses the other decompresses, through two
/// Core connections, for every combination of context takeover and window.
@Suite("RFC 7692 §7.2 Compression and decompression")
struct CompressionTests {
    /// One configuration of both sides.
    struct Setup: Sendable, CustomTestStringConvertible {
        var name: String
        var client: PerMessageDeflate
        var server: PerMessageDeflate
        var testDescription: String { name }
    }

    static let setups: [Setup] = [
        Setup(name: "defaults", client: PerMessageDeflate(), server: PerMessageDeflate()),
        Setup(name: "no context takeover, both directions",
              client: PerMessageDeflate(serverNoContextTakeover: true, clientNoContextTakeover: true),
              server: PerMessageDeflate()),
        Setup(name: "server drops its context (server's choice)",
              client: PerMessageDeflate(), server: PerMessageDeflate(serverNoContextTakeover: true)),
        Setup(name: "client drops its context (server's demand)",
              client: PerMessageDeflate(), server: PerMessageDeflate(clientNoContextTakeover: true)),
        Setup(name: "9-bit windows both ways",
              client: PerMessageDeflate(serverMaxWindowBits: 9, clientMaxWindowBits: 9), server: PerMessageDeflate()),
        Setup(name: "server shrinks the client's window to 10",
              client: PerMessageDeflate(), server: PerMessageDeflate(clientMaxWindowBits: 10)),
        Setup(name: "level 1, memory level 1", client: PerMessageDeflate(compressionLevel: 1, memoryLevel: 1),
              server: PerMessageDeflate(compressionLevel: 9, memoryLevel: 9)),
        Setup(name: "level 0 (stored blocks)", client: PerMessageDeflate(compressionLevel: 0),
              server: PerMessageDeflate(compressionLevel: 0)),
    ]

    /// Messages that exercise the edges: empty, tiny, repetitive, incompressible, and large.
    static let messages: [Message] = [
        .text(""), .binary([]), .text("a"), .text("Hello"),
        .text(String(decoding: sampleText(200), as: UTF8.self)),
        .binary(randomBytes(300)),
        .text(String(repeating: "é€😀", count: 2000)),
        .binary(Array(repeating: 0, count: 100_000)),
        .text(String(decoding: sampleText(70_000, seed: 9), as: UTF8.self)),
        .binary(randomBytes(40_000, seed: 5)),
        .text(String(decoding: sampleText(200), as: UTF8.self)),
    ]

    @Test("Messages round-trip both ways", arguments: setups)
    func roundTrip(_ setup: Setup) throws {
        var client = setup.client
        client.compressionThreshold = 0
        var server = setup.server
        server.compressionThreshold = 0
        var pair = try Pair(client: client, server: server)
        #expect(pair.negotiated.map(\.name) == ["permessage-deflate"])
        for _ in 0..<2 {
            for message in Self.messages { try pair.client.send(message) }
            let (clientFrames, atServer) = try pair.clientToServer()
            #expect(atServer == Self.messages)
            #expect(clientFrames.allSatisfy { $0.reservedBits == .rsv1 })
            for message in Self.messages { try pair.server.send(message) }
            let (serverFrames, atClient) = try pair.serverToClient()
            #expect(atClient == Self.messages)
            #expect(serverFrames.allSatisfy { $0.reservedBits == .rsv1 })
        }
        #expect(pair.client.phase == .open && pair.server.phase == .open)
    }

    @Test("Fragmented messages round-trip, with empty and one-byte fragments", arguments: setups)
    func fragmented(_ setup: Setup) throws {
        var pair = try Pair(client: setup.client, server: setup.server)
        let text = sampleText(20_000, seed: 3) + Array("é€😀".utf8)
        let cuts = [0, 0, 1, 2, 2, 500, 501, 9_000, 20_000, text.count, text.count]
        for _ in 0..<3 {
            for index in 0..<(cuts.count - 1) {
                try pair.client.sendFragment(
                    Array(text[cuts[index]..<cuts[index + 1]]), opcode: index == 0 ? .text : .continuation,
                    isFinal: index == cuts.count - 2)
            }
            try pair.client.send(text: "between")
        }
        let (frames, messages) = try pair.clientToServer()
        #expect(messages == Array(repeating: [.text(String(decoding: text, as: UTF8.self)), .text("between")], count: 3).flatMap { $0 })
        #expect(frames.count == 3 * cuts.count)
    }

    @Test("A fragmented message split anywhere on the receiving side decodes the same")
    func peerFragmentsAnywhere() throws {
        let text = sampleText(3_000, seed: 4)
        let whole = try compressedFrames([text])[0]
        for cut in [0, 1, whole.count / 2, whole.count - 1, whole.count] {
            var server = try deflateServer()
            server.receiveFrame(0x1, Array(whole[..<cut]), fin: false, rsv: rsv1)
            server.receiveFrame(0x0, Array(whole[cut...]))
            #expect(server.receivedMessages() == [.text(String(decoding: text, as: UTF8.self))], "cut at \(cut)")
        }
    }

    @Test("Sent fragments: non-final ones keep the sync flush's 00 00 ff ff, the final one drops it")
    func fragmentTrailers() throws {
        let frames = try compressedFrames([Array("Hello, ".utf8), Array("world".utf8), []])
        #expect(frames[0].suffix(4) == [0x00, 0x00, 0xFF, 0xFF])
        #expect(frames[1].suffix(4) == [0x00, 0x00, 0xFF, 0xFF])
        #expect(frames[2] == [0x00], "an empty final fragment is the §7.2.3.6 empty block header")
        let single = try compressedFrames([Array("Hello, world".utf8)])[0]
        #expect(single.suffix(4) != [0x00, 0x00, 0xFF, 0xFF])
    }

    @Test("With client_no_context_takeover the client's messages do not refer back")
    func noTakeoverIsPerMessage() throws {
        var pair = try Pair(client: PerMessageDeflate(compressionThreshold: 0), server: PerMessageDeflate(clientNoContextTakeover: true))
        let text = String(decoding: sampleText(2_000), as: UTF8.self)
        try pair.client.send(text: text)
        try pair.client.send(text: text)
        let (frames, messages) = try pair.clientToServer()
        #expect(frames[0].payload == frames[1].payload, "each message compressed afresh")
        #expect(messages == [.text(text), .text(text)])

        // With takeover the second copy is a back-reference and much smaller.
        var shared = try Pair(client: PerMessageDeflate(compressionThreshold: 0))
        try shared.client.send(text: text)
        try shared.client.send(text: text)
        let (sharedFrames, _) = try shared.clientToServer()
        #expect(sharedFrames[1].payload.count < sharedFrames[0].payload.count / 10)
    }

    @Test("A message referring back when the peer agreed not to fails with 1007")
    func takeoverViolation() throws {
        var client = try deflateClient(PerMessageDeflate(serverNoContextTakeover: true), response: "server_no_context_takeover")
        client.receive([0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        #expect(client.receivedMessages() == [.text("Hello")])
        client.receive([0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00])
        try expectFailure(&client, code: 1007)
    }

    @Test("A copied connection keeps its own compression state (copy on write)")
    func copyOnWrite() throws {
        var pair = try Pair(client: PerMessageDeflate(compressionThreshold: 0))
        try pair.client.send(text: "Hello")
        _ = try pair.clientToServer()
        var copy = pair.client
        try copy.send(text: "Hello")
        try pair.client.send(text: "Hello")
        let original = try Harness.frames(in: pair.client.takeOutput(), sentBy: .client)
        let copied = try Harness.frames(in: copy.takeOutput(), sentBy: .client)
        #expect(original.map(\.payload) == copied.map(\.payload))
        #expect(original.first?.payload == [0xF2, 0x00, 0x11, 0x00, 0x00])
        var server = pair.server
        var serverCopy = pair.server
        let wire = Wire.frame(0x1, [0xF2, 0x00, 0x11, 0x00, 0x00], rsv: rsv1, masked: true)
        server.receive(wire)
        serverCopy.receive(wire)
        #expect(server.receivedMessages() == [.text("Hello")])
        #expect(serverCopy.receivedMessages() == [.text("Hello")])
    }

    @Test("Our output matches CPython's zlib byte for byte (same zlib, same parameters)")
    func matchesCPythonZlib() throws {
        // python3: c = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
        //          (c.compress(b"abcabcabc" * 20) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
        //          (c.compress(b"xyzabcabcabc" * 3) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
        var sender = PerMessageDeflateExtension(settings: DeflateSettings(compressionThreshold: 0))
        let first = try sender.encode(
            Frame(opcode: .binary, payload: Array(String(repeating: "abcabcabc", count: 20).utf8)), context: EncodingContext())
        let second = try sender.encode(
            Frame(opcode: .binary, payload: Array(String(repeating: "xyzabcabcabc", count: 3).utf8)), context: EncodingContext())
        #expect(first.payload == [0x4A, 0x4C, 0x4A, 0x4E, 0x1C, 0x6A, 0x08, 0x00])
        #expect(second.payload == [0xAA, 0xA8, 0xAC, 0x22, 0xC8, 0x06, 0x00])
    }
}
