import Testing
@testable import WebSocketFraming

@Suite("RFC 6455 §5.2 Base Framing Protocol: encoding")
struct FrameEncoderTests {
    /// Header fields and the bytes they encode to.
    struct HeaderCase: Sendable, CustomTestStringConvertible {
        let opcode: Opcode
        let isFinal: Bool
        let reservedBits: ReservedBits
        let length: Int
        let key: MaskingKey?
        let expected: String
        var testDescription: String { expected }
    }

    static let headerCases: [HeaderCase] = [
        HeaderCase(opcode: .text, isFinal: true, reservedBits: [], length: 5, key: nil, expected: "81 05"),
        HeaderCase(opcode: .binary, isFinal: false, reservedBits: [.rsv1], length: 126, key: nil,
                   expected: "42 7e 00 7e"),
        HeaderCase(opcode: .continuation, isFinal: true, reservedBits: .all, length: 65535, key: nil,
                   expected: "f0 7e ff ff"),
        HeaderCase(opcode: .ping, isFinal: true, reservedBits: [], length: 0, key: rfcKey, expected: "89 80 37 fa 21 3d"),
        HeaderCase(opcode: Opcode(rawValue: 0x3)!, isFinal: false, reservedBits: [.rsv3], length: 65536, key: rfcKey,
                   expected: "13 ff 00 00 00 00 00 01 00 00 37 fa 21 3d"),
    ]

    @Test("header bits: FIN, RSV1-3, opcode, MASK and minimal lengths", arguments: headerCases)
    func header(headerCase: HeaderCase) {
        var output: [UInt8] = [0xEE]
        FrameEncoder.encodeHeader(
            opcode: headerCase.opcode, isFinal: headerCase.isFinal, reservedBits: headerCase.reservedBits,
            payloadLength: headerCase.length, maskingKey: headerCase.key, into: &output)
        #expect(output == [0xEE] + hex(headerCase.expected))
        let header = FrameHeader(opcode: headerCase.opcode, maskingKey: headerCase.key, payloadLength: headerCase.length)
        #expect(header.encodedSize == output.count - 1)
    }

    @Test("header then separately masked payload equals encode (the writev path)")
    func headerPlusPayload() {
        let payload = Array("Hello".utf8)
        var header: [UInt8] = []
        FrameEncoder.encodeHeader(opcode: .text, payloadLength: payload.count, maskingKey: rfcKey, into: &header)
        var body = payload
        Masking.apply(rfcKey, to: &body)
        #expect(header + body == hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
    }

    @Test("encoding never mutates the frame and appends after existing output")
    func doesNotMutate() {
        let frame = Frame(opcode: .binary, payload: Array(0..<100))
        let copy = frame
        var output: [UInt8] = [1, 2, 3]
        FrameEncoder.encode(frame, maskingKey: MaskingKey(9, 8, 7, 6), into: &output)
        #expect(frame == copy)
        #expect(frame.payload == Array(0..<100))
        #expect(output.prefix(3) == [1, 2, 3])
        #expect(output.count == 3 + 2 + 4 + 100)
    }

    @Test("appending many frames grows the output geometrically; a reused output does not grow")
    func growth() {
        var output: [UInt8] = []
        var capacities: Set<Int> = []
        let frame = Frame(opcode: .binary, payload: Array(repeating: 1, count: 10))
        for _ in 0..<10_000 {
            FrameEncoder.encode(frame, maskingKey: rfcKey, into: &output)
            capacities.insert(output.capacity)
        }
        #expect(capacities.count < 25)
        let capacity = output.capacity
        let address = output.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        for _ in 0..<100 {
            output.removeAll(keepingCapacity: true)
            for _ in 0..<10_000 { FrameEncoder.encode(frame, maskingKey: rfcKey, into: &output) }
        }
        #expect(output.capacity == capacity)
        #expect(output.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address)
    }

    @Test("encodedSize(of:isMasked:) matches the bytes written", arguments: [0, 125, 126, 65535, 65536])
    func encodedSize(length: Int) {
        let frame = Frame(opcode: .binary, payload: Array(repeating: 0, count: length))
        for key in [nil, rfcKey] {
            var output: [UInt8] = []
            FrameEncoder.encode(frame, maskingKey: key, into: &output)
            #expect(output.count == FrameEncoder.encodedSize(of: frame, isMasked: key != nil))
        }
    }
}

@Suite("RFC 6455 §5.2 Base Framing Protocol: round trips")
struct RoundTripTests {
    /// A random frame that obeys §5.5 when its opcode is a control opcode.
    static func randomFrame(using random: inout SeededGenerator) -> Frame {
        let opcode = Opcode(rawValue: UInt8.random(in: 0...15, using: &random))!
        let lengths = [0, 1, 3, 4, 5, 8, 125, 126, 127, 1000, 65535, 65536, 70_000]
        var length = Bool.random(using: &random)
            ? lengths.randomElement(using: &random)! : Int.random(in: 0...300, using: &random)
        if opcode.isControl { length = min(length, 125) }
        return Frame(opcode: opcode, isFinal: opcode.isControl || Bool.random(using: &random),
                     reservedBits: ReservedBits(rawValue: UInt8.random(in: 0...7, using: &random) << 4),
                     payload: random.bytes(length))
    }

    @Test("random frames survive encode then decode, whole and in random chunks", arguments: [Role.client, .server])
    func roundTrip(sender: Role) throws {
        var random = SeededGenerator(seed: sender == .client ? 1 : 2)
        let frames = (0..<300).map { _ in Self.randomFrame(using: &random) }
        var wire: [UInt8] = []
        for frame in frames {
            let key = sender.masksOutgoingFrames ? MaskingKey(using: &random) : nil
            FrameEncoder.encode(frame, maskingKey: key, into: &wire)
        }
        let receiver: Role = sender == .client ? .server : .client
        #expect(try decodeAll(wire, role: receiver) == frames)
        let chunks = (0..<20).map { _ in Int.random(in: 1...3000, using: &random) }
        #expect(try decodeChunked(wire, role: receiver, chunkSizes: chunks) == frames)
    }

    @Test("byte-by-byte decoding equals all-at-once on a random stream")
    func byteByByteRandom() throws {
        var random = SeededGenerator(seed: 99)
        var frames: [Frame] = []
        var wire: [UInt8] = []
        for _ in 0..<60 {
            var frame = Self.randomFrame(using: &random)
            frame.payload = Array(frame.payload.prefix(400))
            frames.append(frame)
            FrameEncoder.encode(frame, maskingKey: MaskingKey(using: &random), into: &wire)
        }
        #expect(try decodeChunked(wire, role: .server, chunkSizes: [1]) == frames)
        #expect(try decodeAll(wire, role: .server) == frames)
    }
}
