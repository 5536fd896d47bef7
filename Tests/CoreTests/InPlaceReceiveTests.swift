import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// `receiveBorrowing(_:offset:)` hands whole single-frame messages out where they lie in the
/// caller's buffer; everything else takes the ordinary path. For any bytes in any chunking it
/// must report what `receive(_:)` reports, in the same order, with the same output and close.
@Suite("Core: in-place receive matches staged receive")
struct InPlaceReceiveTests {
    static func describe(_ message: Message) -> String {
        "message \(message.kind) \(message.data.count) \(message.data.reduce(0) { $0 &* 31 &+ Int($1) })"
    }

    /// The same step through `receiveBorrowing`, events before each message drained first.
    static func inPlace(_ connection: inout Connection, _ chunk: [UInt8]) -> [String] {
        var buffer = chunk
        var seen: [String] = []
        buffer.withUnsafeMutableBytes { bytes in
            var offset = 0
            repeat {
                let message = connection.receiveBorrowing(bytes, offset: &offset)
                seen += BorrowedReceiveTests.events(&connection)
                if let message { seen.append(describe(message.message)) }
            } while offset < bytes.count
        }
        return seen + BorrowedReceiveTests.snapshot(&connection)
    }

    @Test("same events, messages and output in any chunking, with and without message credit", arguments: 0..<60)
    func inPlaceAndStagedAgree(seed: UInt64) throws {
        try BorrowedReceiveTests.expectAgreementWithStaged(seed: seed, chunkSeed: seed &+ 2000, Self.inPlace)
    }

    /// Whole frames in one read are handed out in place, pointing into the caller's buffer (the
    /// seeds above also take the fallback paths; this pins the in-place one).
    @Test func wholeFramesInOneReadAreHandedOutInPlace() throws {
        var connection = try Harness.openServer()
        var bytes = Wire.frame(0x1, Array("héllo".utf8), masked: true) + Wire.frame(0x2, [1, 2, 3], masked: true)
            + Wire.frame(0x9, [7], masked: true) + Wire.frame(0x2, [4], masked: true)
        var messages: [BorrowedMessage] = []
        var texts: [String?] = []
        var copies: [Message] = []
        var eventsBetween: [[Event]] = []
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count, let message = connection.receiveBorrowing(buffer, offset: &offset) {
                eventsBetween.append(connection.takeEvents())
                // The payload lies in the caller's buffer, unmasked.
                #expect(message.bytes.baseAddress! >= UnsafeRawPointer(buffer.baseAddress!))
                #expect(message.bytes.baseAddress! < UnsafeRawPointer(buffer.baseAddress! + buffer.count))
                messages.append(message)
                texts.append(message.text)
                copies.append(message.message)
            }
        }
        #expect(copies == [.text("héllo"), .binary([1, 2, 3]), .binary([4])])
        #expect(texts == ["héllo", nil, nil])
        #expect(eventsBetween.count == 3)
        if case .ping([7]) = eventsBetween.last?.first {} else { Issue.record("the ping comes before the last message: \(eventsBetween)") }
        #expect(try Harness.frames(in: connection.takeOutput(), sentBy: .server).map(\.opcode) == [.pong])
    }

    /// Autobahn 5.15: a fragmented message, then a continuation frame with nothing in
    /// progress. The message stops the in-place pass, so that its answer is written before the
    /// bad frame is decoded and the close is written after it.
    @Test func anAssembledMessageIsAnsweredBeforeTheNextFrameFails() throws {
        var connection = try Harness.openServer()
        var bytes = Wire.frame(0x1, Array("frag".utf8), fin: false, masked: true)
            + Wire.frame(0x0, Array("ment".utf8), masked: true)
            + Wire.frame(0x0, Array("oops".utf8), fin: false, masked: true)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            repeat {
                let message = connection.receiveBorrowing(buffer, offset: &offset)
                #expect(message == nil)
                for event in connection.takeEvents() {
                    if case .message(let assembled) = event { try? connection.send(assembled) }
                }
            } while offset < buffer.count
        }
        let frames = try Harness.frames(in: connection.takeOutput(), sentBy: .server)
        #expect(frames.map(\.opcode) == [.text, .close])
        #expect(frames.first?.payload == Array("fragment".utf8))
    }

    /// A message limit below 125 bytes (the decoder's frame limit never goes lower, for control
    /// frames) holds on the in-place path too: 1009, as `receive(_:)` does. Found by
    /// `make fuzz-quick` (client-connection), kept in Tools/Fuzz/Regressions.
    @Test func aMessageOverALimitBelow125Fails1009() throws {
        var configuration = Configuration()
        configuration.maxMessageSize = 10
        let bytes = Wire.frame(0x2, [UInt8](repeating: 1, count: 50), masked: true)
        var staged = try Harness.openServer(configuration)
        staged.receive(bytes)
        var inPlace = try Harness.openServer(configuration)
        var buffer = bytes
        buffer.withUnsafeMutableBytes { buffer in
            var offset = 0
            #expect(inPlace.receiveBorrowing(buffer, offset: &offset) == nil, "handed out a message over the limit")
            #expect(offset == buffer.count)
        }
        #expect(!inPlace.takeEvents().contains { if case .message = $0 { true } else { false } })
        let output = inPlace.takeOutput()
        #expect(output == staged.takeOutput())
        let close = try #require(try Harness.frames(in: output, sentBy: .server).last)
        #expect(close.opcode == .close && Array(close.payload.prefix(2)) == [0x03, 0xF1])  // 1009
    }

    @Test func invalidUTF8InPlaceFailsWith1007() throws {
        var connection = try Harness.openServer()
        var bytes = Wire.frame(0x1, [0x61, 0xED, 0xA0, 0x80], masked: true) + Wire.frame(0x2, [1], masked: true)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            #expect(connection.receiveBorrowing(buffer, offset: &offset) == nil)
        }
        #expect(!connection.takeEvents().contains { if case .message = $0 { true } else { false } })
        let close = try #require(try Harness.frames(in: connection.takeOutput(), sentBy: .server).last)
        #expect(close.opcode == .close && Array(close.payload.prefix(2)) == [0x03, 0xEF])  // 1007
    }

    /// A borrowed message that lies in an array of its own (an assembled one) is sent as that
    /// array: a large payload leaves without a copy, as `send(Message)` would send it.
    @Test func anAssembledMessageIsSentWithoutACopy() throws {
        var connection = try Harness.openServer()
        let payload = [UInt8](repeating: 3, count: 70_000)
        try payload.withUnsafeBytes { bytes in
            try connection.send(BorrowedMessage(kind: .binary, bytes: bytes, storage: payload))
        }
        #expect(connection.hasChunkedOutput)
        var chunks: [[UInt8]] = []
        connection.takeOutput(into: &chunks)
        #expect(chunks.count == 2 && chunks[1].withUnsafeBytes { $0.baseAddress } == payload.withUnsafeBytes { $0.baseAddress })
    }

    /// `send(BorrowedMessage)` writes the bytes `send(Message)` writes (server: unmasked, the
    /// same bytes; client: the same frame under the same masking key).
    @Test(arguments: [false, true])
    func sendingABorrowedMessageEqualsSendingItsCopy(client: Bool) throws {
        var viaCopy = client ? try Harness.openClient(seed: 7) : try Harness.openServer()
        var viaBorrow = client ? try Harness.openClient(seed: 7) : try Harness.openServer()
        for payload in [[], Array("κόσμε".utf8), Array(repeating: UInt8(9), count: 70_000)] as [[UInt8]] {
            for kind in [Message.Kind.text, .binary] where kind == .binary || !payload.contains(9) {
                let message: Message = kind == .text ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload)
                try viaCopy.send(message)
                try payload.withUnsafeBytes { bytes in
                    try viaBorrow.send(BorrowedMessage(kind: kind, bytes: bytes))
                }
            }
        }
        #expect(viaBorrow.takeOutput() == viaCopy.takeOutput())
    }
}
