import Testing
import WebSocketFraming

/// One §5.7 example: the wire bytes, who receives them and the frames they carry.
struct WireExample: Sendable, CustomTestStringConvertible {
    let name: String
    let wire: [UInt8]
    let receiver: Role
    let frames: [Frame]
    let key: MaskingKey?
    var testDescription: String { name }
}

@Suite("RFC 6455 §5.7 Examples")
struct RFCExampleTests {
    static let hello = Array("Hello".utf8)
    static let binary256 = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    static let binary64K = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }

    static let examples: [WireExample] = [
        WireExample(name: "single-frame unmasked text", wire: hex("81 05 48 65 6c 6c 6f"), receiver: .client,
                    frames: [Frame(opcode: .text, payload: hello)], key: nil),
        WireExample(name: "single-frame masked text", wire: hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
                    receiver: .server, frames: [Frame(opcode: .text, payload: hello)], key: rfcKey),
        WireExample(name: "fragmented unmasked text", wire: hex("01 03 48 65 6c 80 02 6c 6f"), receiver: .client,
                    frames: [Frame(opcode: .text, isFinal: false, payload: Array("Hel".utf8)),
                             Frame(opcode: .continuation, payload: Array("lo".utf8))], key: nil),
        WireExample(name: "unmasked ping", wire: hex("89 05 48 65 6c 6c 6f"), receiver: .client,
                    frames: [Frame(opcode: .ping, payload: hello)], key: nil),
        WireExample(name: "masked pong", wire: hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), receiver: .server,
                    frames: [Frame(opcode: .pong, payload: hello)], key: rfcKey),
        WireExample(name: "256 bytes binary, 16-bit length", wire: hex("82 7E 01 00") + binary256, receiver: .client,
                    frames: [Frame(opcode: .binary, payload: binary256)], key: nil),
        WireExample(name: "64 KiB binary, 64-bit length", wire: hex("82 7F 00 00 00 00 00 01 00 00") + binary64K,
                    receiver: .client, frames: [Frame(opcode: .binary, payload: binary64K)], key: nil),
    ]

    @Test("decode the wire bytes", arguments: examples)
    func decode(example: WireExample) throws {
        #expect(try decodeAll(example.wire, role: example.receiver) == example.frames)
    }

    @Test("encode to the same wire bytes", arguments: examples)
    func encode(example: WireExample) {
        var output: [UInt8] = []
        for frame in example.frames { FrameEncoder.encode(frame, maskingKey: example.key, into: &output) }
        #expect(output == example.wire)
        let sizes = example.frames.map { FrameEncoder.encodedSize(of: $0, isMasked: example.key != nil) }
        #expect(sizes.reduce(0, +) == example.wire.count)
    }

    @Test("decoding byte by byte gives the same frames as all at once", arguments: examples)
    func byteByByte(example: WireExample) throws {
        #expect(try decodeChunked(example.wire, role: example.receiver, chunkSizes: [1]) == example.frames)
        #expect(try decodeChunked(example.wire, role: example.receiver, chunkSizes: [3, 1, 7, 2]) == example.frames)
    }

    @Test("all examples for one receiver, back to back in one buffer")
    func concatenated() throws {
        for role in [Role.client, .server] {
            let chosen = Self.examples.filter { $0.receiver == role }
            let wire = chosen.flatMap(\.wire)
            let frames = chosen.flatMap(\.frames)
            #expect(try decodeAll(wire, role: role) == frames)
            #expect(try decodeChunked(wire, role: role, chunkSizes: [1]) == frames)
            #expect(try decodeChunked(wire, role: role, chunkSizes: [5000, 13]) == frames)
        }
    }
}
