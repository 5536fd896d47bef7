import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport
@testable import PerMessageDeflate

/// RFC 7692 §6: RSV1, the "Per-Message Compressed" bit, goes on the first frame of a compressed
/// message and nowhere else.
@Suite("RFC 7692 §6 Framing")
struct FramingTests {
    static let compressedHello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]

    @Test("A fragmented message is marked on its first frame only")
    func rsv1OnFirstFrameOnly() throws {
        var pair = try Pair(client: PerMessageDeflate(compressionThreshold: 0))
        let text = Array(String(repeating: "fragmented, compressed and reassembled; ", count: 20).utf8)
        try pair.client.sendFragment(Array(text[..<100]), opcode: .text, isFinal: false)
        try pair.client.ping([1, 2, 3])
        try pair.client.sendFragment(Array(text[100..<500]), opcode: .continuation, isFinal: false)
        try pair.client.sendFragment(Array(text[500...]), opcode: .continuation, isFinal: true)
        let (frames, messages) = try pair.clientToServer()
        #expect(frames.map(\.reservedBits) == [.rsv1, [], [], []])
        #expect(frames.map(\.opcode) == [.text, .ping, .continuation, .continuation])
        #expect(frames[1].payload == [1, 2, 3], "control frames are never compressed")
        #expect(messages == [.text(String(decoding: text, as: UTF8.self))])
    }

    @Test("Control frames are never marked", arguments: [Opcode.ping, .pong])
    func controlFramesUnmarked(_ opcode: Opcode) throws {
        var pair = try Pair(client: PerMessageDeflate(compressionThreshold: 0))
        if opcode == .ping { try pair.client.ping(Array(repeating: 0x61, count: 125)) } else { try pair.client.pong([7]) }
        try pair.client.close(code: .normalClosure, reason: String(repeating: "a", count: 100))
        let (frames, _) = try pair.clientToServer()
        #expect(frames.allSatisfy { $0.reservedBits.isEmpty })
    }

    @Test("RSV1 on a continuation frame fails with 1002")
    func rsv1OnContinuation() throws {
        var server = try deflateServer()
        server.receiveFrame(0x1, Array(Self.compressedHello[..<3]), fin: false, rsv: rsv1)
        server.receiveFrame(0x0, Array(Self.compressedHello[3...]), rsv: rsv1)
        try expectFailure(&server, code: 1002)
    }

    @Test("RSV1 on a continuation of an uncompressed message fails with 1002")
    func rsv1OnContinuationOfPlainMessage() throws {
        var server = try deflateServer()
        server.receiveFrame(0x1, Array("Hel".utf8), fin: false)
        server.receiveFrame(0x0, Array(Self.compressedHello[3...]), rsv: rsv1)
        try expectFailure(&server, code: 1002)
    }

    @Test("RSV1 on a control frame fails with 1002", arguments: [UInt8(0x9), 0xA, 0x8])
    func rsv1OnControlFrame(_ opcode: UInt8) throws {
        var server = try deflateServer()
        server.receiveFrame(opcode, opcode == 0x8 ? [0x03, 0xE8] : [], rsv: rsv1)
        try expectFailure(&server, code: 1002)
    }

    @Test("RSV1 on a ping between fragments fails with 1002")
    func rsv1OnPingBetweenFragments() throws {
        var server = try deflateServer()
        server.receiveFrame(0x1, Array(Self.compressedHello[..<3]), fin: false, rsv: rsv1)
        server.receiveFrame(0x9, [], rsv: rsv1)
        try expectFailure(&server, code: 1002)
    }

    @Test("RSV2 and RSV3 stay refused: permessage-deflate owns RSV1 only", arguments: [UInt8(0x20), 0x10])
    func otherBitsRefused(_ bits: UInt8) throws {
        var server = try deflateServer()
        server.receiveFrame(0x1, Self.compressedHello, rsv: bits | rsv1)
        try expectFailure(&server, code: 1002)
    }

    @Test("Without negotiation RSV1 fails with 1002")
    func rsv1WithoutNegotiation() throws {
        var server = try Harness.openServer(deflateConfiguration())
        server.receiveFrame(0x1, Self.compressedHello, rsv: rsv1)
        try expectFailure(&server, code: 1002)
    }

    @Test("A message below the threshold is sent uncompressed, unmarked")
    func belowThreshold() throws {
        var pair = try Pair(client: PerMessageDeflate(compressionThreshold: 128))
        try pair.client.send(text: String(repeating: "a", count: 127))
        try pair.client.send(text: String(repeating: "a", count: 128))
        let (frames, messages) = try pair.clientToServer()
        #expect(frames.map(\.reservedBits) == [[], .rsv1])
        #expect(frames[0].payload.count == 127)
        #expect(frames[1].payload.count < 10)
        #expect(messages.map(\.data.count) == [127, 128])
    }

    @Test("allowsCompression: false sends the message uncompressed, fragments included")
    func compressionDisallowed() throws {
        var pair = try Pair(client: PerMessageDeflate(compressionThreshold: 0))
        let data = Array(repeating: UInt8(0x42), count: 1000)
        try pair.client.send(.binary(data), allowsCompression: false)
        try pair.client.sendFragment(Array(data[..<10]), opcode: .binary, isFinal: false, allowsCompression: false)
        try pair.client.sendFragment(Array(data[10...]), opcode: .continuation, isFinal: true)
        try pair.client.send(.binary(data))
        let (frames, messages) = try pair.clientToServer()
        #expect(frames.map(\.reservedBits) == [[], [], [], .rsv1])
        #expect(frames.map(\.payload.count).prefix(3) == [1000, 10, 990])
        #expect(messages == [.binary(data), .binary(data), .binary(data)])
    }

    @Test("An extension-owned or unknown opcode passes through untouched")
    func otherOpcodesPassThrough() throws {
        var deflate = PerMessageDeflateExtension(settings: DeflateSettings(compressionThreshold: 0))
        let frame = Frame(opcode: Opcode(rawValue: 0x3)!, payload: [1, 2, 3])
        #expect(try deflate.encode(frame, context: EncodingContext()) == frame)
        #expect(try deflate.decode(frame, context: DecodingContext(maxPayloadSize: 10)) == frame)
        var marked = frame
        marked.reservedBits = .rsv1
        #expect(throws: ExtensionError.self) { try deflate.decode(marked, context: DecodingContext(maxPayloadSize: 10)) }
    }
}
