import Testing
@testable import WebSocketFraming

/// Feeds `bytes` one at a time; returns the error and the number of bytes fed when it was thrown.
func failure(of bytes: [UInt8], role: Role, maxFrameSize: Int = 1 << 20) -> (FramingError, fedCount: Int)? {
    var decoder = FrameDecoder(role: role, maxFrameSize: maxFrameSize)
    var input = InputBuffer()
    for (index, byte) in bytes.enumerated() {
        input.append(contentsOf: [byte])
        do {
            while try decoder.decode(from: &input) != nil {}
        } catch {
            return (error, index + 1)
        }
    }
    return nil
}

@Suite("RFC 6455 §5.2 Base Framing Protocol: decoding")
struct FrameDecoderTests {
    /// A header that breaks a rule, and how many of its bytes show it.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let wire: String
        let role: Role
        var maxFrameSize = 1 << 20
        let expected: FramingError
        let neededCount: Int
        var testDescription: String { "\(expected) from \(wire)" }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(wire: "81 05 48 65 6c 6c 6f", role: .server, expected: .maskRequired, neededCount: 2),
        ErrorCase(wire: "81 85 37 fa 21 3d 7f 9f 4d 51 58", role: .client, expected: .unexpectedMask, neededCount: 2),
        ErrorCase(wire: "82 7e 00 7d", role: .client, expected: .nonMinimalLength, neededCount: 4),
        ErrorCase(wire: "82 7f 00 00 00 00 00 00 ff ff", role: .client, expected: .nonMinimalLength, neededCount: 10),
        ErrorCase(wire: "82 ff 80 00 00 00 00 00 00 00", role: .server, expected: .lengthMostSignificantBitSet,
                  neededCount: 10),
        ErrorCase(wire: "89 7e 00 7e", role: .client, expected: .controlFrameTooLong(length: 126), neededCount: 4),
        ErrorCase(wire: "88 fe 01 00", role: .server, expected: .controlFrameTooLong(length: 256), neededCount: 4),
        ErrorCase(wire: "09 00", role: .client, expected: .fragmentedControlFrame, neededCount: 2),
        ErrorCase(wire: "08 80", role: .server, expected: .fragmentedControlFrame, neededCount: 2),
        ErrorCase(wire: "0b 00", role: .client, expected: .fragmentedControlFrame, neededCount: 2),
        ErrorCase(wire: "82 7e 04 01", role: .client, maxFrameSize: 1024,
                  expected: .frameTooLarge(length: 1025, limit: 1024), neededCount: 4),
        ErrorCase(wire: "01 ff 7f ff ff ff ff ff ff ff", role: .server,
                  expected: .frameTooLarge(length: UInt64(Int64.max), limit: 1 << 20), neededCount: 10),
    ]

    @Test("every FramingError case, thrown as soon as the header bytes that show it arrive", arguments: errorCases)
    func errors(errorCase: ErrorCase) {
        let wire = hex(errorCase.wire)
        let result = failure(of: wire + [0, 0, 0, 0, 0, 0], role: errorCase.role, maxFrameSize: errorCase.maxFrameSize)
        #expect(result?.0 == errorCase.expected)
        #expect(result?.fedCount == errorCase.neededCount)
        #expect(throws: errorCase.expected) {
            try decodeAll(wire, role: errorCase.role, maxFrameSize: errorCase.maxFrameSize)
        }
    }

    @Test("a claimed 2^63-1 byte payload fails on its header without allocating")
    func hugeClaimedLength() {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var input = InputBuffer(hex("82 ff 7f ff ff ff ff ff ff ff"))
        #expect(throws: FramingError.frameTooLarge(length: 0x7FFF_FFFF_FFFF_FFFF, limit: 1 << 20)) {
            try decoder.decode(from: &input)
        }
        #expect(decoder.pendingHeader == nil)
        #expect(decoder.pendingPayload.capacity == 0)
        #expect(decoder.failure == .frameTooLarge(length: 0x7FFF_FFFF_FFFF_FFFF, limit: 1 << 20))
    }

    @Test("after an error the decoder stays failed, even on valid input")
    func staysFailed() {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var input = InputBuffer(hex("81 05 48 65 6c 6c 6f"))
        #expect(throws: FramingError.maskRequired) { try decoder.decode(from: &input) }
        input.removeAll()
        input.append(contentsOf: hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
        #expect(throws: FramingError.maskRequired) { try decoder.decode(from: &input) }
        #expect(throws: FramingError.maskRequired) { try decoder.decode(from: &input) }
    }

    @Test("payload length encodings at the 7/16/64-bit boundaries",
          arguments: [(0, 2), (1, 2), (125, 2), (126, 4), (127, 4), (65535, 4), (65536, 10), (100_000, 10)])
    func lengthBoundaries(length: Int, headerSize: Int) throws {
        let frame = Frame(opcode: .binary, payload: (0..<length).map { UInt8(truncatingIfNeeded: $0) })
        var wire: [UInt8] = []
        FrameEncoder.encode(frame, maskingKey: nil, into: &wire)
        #expect(wire.count == headerSize + length)
        #expect(FrameHeader.encodedSize(payloadLength: length, isMasked: false) == headerSize)
        #expect(FrameHeader.encodedSize(payloadLength: length, isMasked: true) == headerSize + 4)
        #expect(try decodeAll(wire, role: .client) == [frame])
        var masked: [UInt8] = []
        FrameEncoder.encode(frame, maskingKey: rfcKey, into: &masked)
        #expect(masked.count == headerSize + 4 + length)
        #expect(try decodeAll(masked, role: .server) == [frame])
    }

    @Test("minimal extended lengths are accepted: 126 in 16 bits, 65536 in 64 bits")
    func minimalExtendedLengths() throws {
        let frames = try decodeAll(hex("82 7e 00 7e") + Array(repeating: 1, count: 126), role: .client)
        #expect(frames.first?.payload.count == 126)
        #expect(throws: FramingError.nonMinimalLength) { try decodeAll(hex("82 7f 00 00 00 00 00 00 00 7e"), role: .client) }
    }

    @Test("role rules: a server requires masks, a client refuses them (§5.1)")
    func roleMaskRules() throws {
        let masked = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), unmasked = hex("81 05 48 65 6c 6c 6f")
        #expect(try decodeAll(masked, role: .server).count == 1)
        #expect(try decodeAll(unmasked, role: .client).count == 1)
        #expect(throws: FramingError.maskRequired) { try decodeAll(unmasked, role: .server) }
        #expect(throws: FramingError.unexpectedMask) { try decodeAll(masked, role: .client) }
    }

    @Test("control frames: 125 bytes is fine and they are exempt from maxFrameSize (§5.5)")
    func controlFrameLimits() throws {
        let ping = Frame(opcode: .ping, payload: Array(repeating: 0x2A, count: 125))
        var wire: [UInt8] = []
        FrameEncoder.encode(ping, maskingKey: rfcKey, into: &wire)
        #expect(try decodeAll(wire, role: .server, maxFrameSize: 0) == [ping])
        #expect(throws: FramingError.frameTooLarge(length: 1, limit: 0)) {
            try decodeAll(hex("82 81 00 00 00 00 00"), role: .server, maxFrameSize: 0)
        }
        #expect(throws: FramingError.frameTooLarge(length: 1, limit: -5)) {
            try decodeAll(hex("82 01 00"), role: .client, maxFrameSize: -5)
        }
    }

    @Test("maxFrameSize is inclusive and can change between calls")
    func maxFrameSizeChanges() throws {
        #expect(try decodeAll(hex("82 03 01 02 03"), role: .client, maxFrameSize: 3).count == 1)
        var decoder = FrameDecoder(role: .client, maxFrameSize: 10)
        var input = InputBuffer(hex("82 03 01 02 03 82 03 01 02 03"))
        #expect(try decoder.decode(from: &input) != nil)
        decoder.maxFrameSize = 2
        #expect(throws: FramingError.frameTooLarge(length: 3, limit: 2)) { try decoder.decode(from: &input) }
    }

    @Test("RSV bits and reserved opcodes are reported, not judged")
    func reservedBitsAndOpcodes() throws {
        let frames = try decodeAll(hex("f3 01 2a c0 00 bb 00"), role: .client)
        #expect(frames == [
            Frame(opcode: Opcode(rawValue: 3)!, reservedBits: .all, payload: [0x2A]),
            Frame(opcode: .continuation, reservedBits: .rsv1),
            Frame(opcode: Opcode(rawValue: 0xB)!, reservedBits: [.rsv2, .rsv3]),
        ])
    }

    @Test("an incomplete header leaves its bytes in the input")
    func incompleteHeader() throws {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var input = InputBuffer(hex("81 85 37 fa"))
        #expect(try decoder.decode(from: &input) == nil)
        #expect(input.readableCount == 4)
        #expect(decoder.pendingHeader == nil)
        input.append(contentsOf: hex("21 3d 7f 9f 4d 51 58"))
        #expect(try decoder.decode(from: &input) == Frame(opcode: .text, payload: Array("Hello".utf8)))
        #expect(input.isEmpty)
    }

    @Test("a header split across reads is completed from the next read, at every cut")
    func splitFrameHeader() throws {
        let decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        for (length, size) in [(5, 6), (300, 8), (70_000, 14)] {
            var wire: [UInt8] = []
            FrameEncoder.encode(Frame(opcode: .binary, payload: [UInt8](repeating: 1, count: length)),
                                maskingKey: MaskingKey(1, 2, 3, 4), into: &wire)
            let expected = try #require(try decodeAll(wire, role: .server).first)
            for cut in 1..<size {
                let found = Array(wire[cut...]).withUnsafeBytes {
                    decoder.splitFrameHeader(wire[..<cut], continuedIn: $0, offset: 0)
                }
                #expect(found?.header.payloadLength == length && found?.header.maskingKey == MaskingKey(1, 2, 3, 4))
                #expect(found?.sizeInBytes == size - cut, "length \(length), cut \(cut)")
                #expect(found?.header.opcode == expected.opcode)
            }
            // Whole in the prefix, still incomplete, or breaking a rule: nil.
            let tail = Array(wire[size...])
            #expect(tail.withUnsafeBytes { decoder.splitFrameHeader(wire[..<size], continuedIn: $0, offset: 0) } == nil)
            #expect(Array(wire[1..<(size - 1)]).withUnsafeBytes {
                decoder.splitFrameHeader(wire[..<1], continuedIn: $0, offset: 0)
            } == nil)
        }
        let unmasked = hex("82 05 01 02 03 04 05")
        #expect(Array(unmasked[1...]).withUnsafeBytes { decoder.splitFrameHeader(unmasked[..<1], continuedIn: $0, offset: 0) } == nil)
    }

    @Test("many frames in one buffer decode one per call, then nil")
    func manyFramesInOneBuffer() throws {
        var wire: [UInt8] = []
        let frames = (0..<100).map { Frame(opcode: .binary, payload: Array(repeating: UInt8($0), count: $0)) }
        for frame in frames {
            FrameEncoder.encode(frame, maskingKey: MaskingKey(1, 2, 3, UInt8(frame.payload.count)), into: &wire)
        }
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var input = InputBuffer(wire)
        for frame in frames { #expect(try decoder.decode(from: &input) == frame) }
        #expect(try decoder.decode(from: &input) == nil)
        #expect(input.isEmpty)
    }
}

/// The pointer entry points trap on an offset outside the buffer (the receiver's own error,
/// never a peer's): unchecked buffer pointers read, and `decodeInPlace` wrote, out of bounds in
/// a release build before. (A negative offset also trapped in a debug build, in the buffer's
/// own debug check, which release builds drop; an offset past the end returned nil.)
@Suite("FrameDecoder: offsets outside the buffer")
struct FrameDecoderOffsetTests {
    @Test func aNegativeOffsetTraps() async {
        await #expect(processExitsWith: .failure) {
            var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
            var bytes: [UInt8] = [0x82, 0x80, 1, 2, 3, 4]
            bytes.withUnsafeMutableBytes { buffer in
                var offset = -1
                _ = try? decoder.decodeInPlace(buffer, offset: &offset)
            }
        }
    }

    @Test func anOffsetPastTheEndTraps() async {
        await #expect(processExitsWith: .failure) {
            var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
            let bytes: [UInt8] = [0x82, 0x80, 1, 2, 3, 4]
            bytes.withUnsafeBytes { buffer in
                var offset = 7
                _ = try? decoder.decode(from: buffer, offset: &offset)
            }
        }
    }
}

@Suite("RFC 6455 §5.4 Fragmentation: streaming a frame as it arrives")
struct StreamingTests {
    @Test("pendingHeader and pendingPayload while a masked text frame arrives in chunks")
    func pendingState() throws {
        let text = Array(String(repeating: "κόσμε-", count: 100).utf8)
        let key = MaskingKey(0xA1, 0xB2, 0xC3, 0xD4)
        var wire: [UInt8] = []
        FrameEncoder.encode(Frame(opcode: .text, payload: text), maskingKey: key, into: &wire)
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var input = InputBuffer()
        var offset = 0, result: Frame?
        while offset < wire.count {
            let end = min(wire.count, offset + 37)
            input.append(contentsOf: wire[offset..<end])
            offset = end
            result = try decoder.decode(from: &input)
            #expect(input.isEmpty, "payload bytes move out of the input buffer")
            if result == nil {
                let header = try #require(decoder.pendingHeader)
                #expect(header == FrameHeader(opcode: .text, maskingKey: key, payloadLength: text.count))
                #expect(decoder.pendingPayload == Array(text[0..<(offset - 8)]))
                #expect(decoder.pendingPayload.capacity >= text.count)
            }
        }
        #expect(result == Frame(opcode: .text, payload: text))
        #expect(decoder.pendingHeader == nil && decoder.pendingPayload.isEmpty)
    }

    @Test("the completed frame's payload is the pending array itself, not a copy")
    func noExtraCopy() throws {
        var wire: [UInt8] = []
        FrameEncoder.encode(Frame(opcode: .binary, payload: Array(repeating: 9, count: 5000)), maskingKey: rfcKey,
                            into: &wire)
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var input = InputBuffer(Array(wire[0..<3000]))
        #expect(try decoder.decode(from: &input) == nil)
        let address = decoder.pendingPayload.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        input.append(contentsOf: wire[3000...])
        let frame = try #require(try decoder.decode(from: &input))
        #expect(frame.payload.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address)
        #expect(frame.payload == Array(repeating: 9, count: 5000))
    }

    @Test("an invalid chunk of a text frame can be seen before the frame completes")
    func validateWhileArriving() throws {
        // Autobahn 6.4.3 style: a text frame whose payload turns invalid midway.
        let payload = Array("κόσμε".utf8) + [0xED, 0xA0, 0x80] + Array("edited".utf8)
        var wire: [UInt8] = []
        FrameEncoder.encode(Frame(opcode: .text, payload: payload), maskingKey: rfcKey, into: &wire)
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var validator = UTF8Validator()
        var input = InputBuffer(Array(wire[0..<(6 + 13)]))  // header + κόσμε + ED A0
        #expect(try decoder.decode(from: &input) == nil)
        #expect(validator.validate(decoder.pendingPayload) == false)
    }

    @Test("an unmasked frame streams too (client role)")
    func unmaskedStreaming() throws {
        let payload = (0..<70_000).map { UInt8(truncatingIfNeeded: $0) }
        var wire: [UInt8] = []
        FrameEncoder.encode(Frame(opcode: .binary, isFinal: false, payload: payload), maskingKey: nil, into: &wire)
        #expect(try decodeChunked(wire, role: .client, chunkSizes: [1, 4096, 3]) ==
            [Frame(opcode: .binary, isFinal: false, payload: payload)])
    }

    @Test("a claimed length reserves at most 1 MiB before the bytes arrive, even without a limit")
    func claimedLengthIsNotReservedUpFront() throws {
        // Found by the attack tests: with `maxFrameSize = Int.max`, a 14-byte header claiming
        // 2^62 bytes made the decoder reserve 4 EiB and trap.
        var decoder = FrameDecoder(role: .server, maxFrameSize: Int.max)
        var input = InputBuffer([0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0xAA])
        #expect(try decoder.decode(from: &input) == nil)
        #expect(decoder.pendingHeader?.payloadLength == 1 << 62)
        // malloc rounds up: to a page when it maps a chunk this large (seen: 1 MiB + 4048).
        #expect(decoder.pendingPayload.capacity <= (1 << 20) + 8192)
        #expect(decoder.pendingPayload == [0xAA ^ 1])
    }
}
