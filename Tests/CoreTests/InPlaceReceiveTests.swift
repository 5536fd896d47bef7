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

    /// Feeds `chunks` one read at a time through `receiveBorrowing`, as a driver does (each
    /// message handled before the next call): what was lent, the events, and the output.
    static func read(_ connection: inout Connection, _ chunks: [[UInt8]]) -> (lent: [Message], events: [Event]) {
        var lent: [Message] = []
        var events: [Event] = []
        for chunk in chunks {
            var buffer = chunk
            buffer.withUnsafeMutableBytes { bytes in
                var offset = 0
                repeat {
                    let message = connection.receiveBorrowing(bytes, offset: &offset)
                    events += connection.takeEvents()
                    if let message {
                        #expect(message.storage == nil, "a gathered message is lent, not given an array")
                        lent.append(message.message)
                    }
                } while offset < bytes.count
            }
        }
        return (lent, events)
    }

    /// A frame that begins in one read and ends in another (here in three reads, with whole
    /// frames around it) is gathered and lent like a frame read whole: no array, no event.
    @Test(arguments: [false, true])
    func aFrameSplitAcrossReadsIsLent(text: Bool) throws {
        var connection = try Harness.openServer()
        let payload = text ? Array(String(repeating: "αβγ", count: 5_000).utf8) : (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let frame = Wire.frame(text ? 0x1 : 0x2, payload, masked: true)
        let before = Wire.frame(0x2, [9], masked: true)
        let after = Wire.frame(0x2, [8], masked: true)
        let wire = before + frame + after
        // The first read ends after the frame's header, the second inside a character.
        let cuts = [before.count + 20, before.count + frame.count / 2 + 1, wire.count]
        let chunks = zip([0] + cuts.dropLast(), cuts).map { Array(wire[$0..<$1]) }
        let (lent, events) = Self.read(&connection, chunks)
        let expected: [Message] = [.binary([9]), text ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload), .binary([8])]
        #expect(lent.map(Self.describe) == expected.map(Self.describe))
        #expect(events.isEmpty)
        #expect(connection.stageRetainsMemory == false, "the last read ended between frames")
    }

    /// A frame whose header is split across reads (at every byte of a 16-bit and a 64-bit
    /// length header) is lent too: in place when its payload then lies whole in the next read,
    /// gathered when it goes on past it. Before, the decoder staged it into an array of its own
    /// and reported it as an event (the 64 KiB stream's remaining allocations).
    @Test(arguments: [600, 70_000], [false, true])
    func aFrameWhoseHeaderIsSplitIsLent(size: Int, text: Bool) throws {
        let payload = text
            ? Array(String(repeating: "αβγ", count: size / 6).utf8)
            : (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let frame = Wire.frame(text ? 0x1 : 0x2, payload, masked: true)
        let around = Wire.frame(0x2, [9], masked: true)
        let wire = around + frame + around
        let headerSize = size < 65_536 ? 8 : 14
        let expected: [Message] = [.binary([9]), text ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload), .binary([9])]
        for cut in 1..<headerSize {
            let split = around.count + cut
            for cuts in [[split, wire.count], [split, split + headerSize + size / 2 + 1, wire.count]] {
                var connection = try Harness.openServer()
                let chunks = zip([0] + cuts.dropLast(), cuts).map { Array(wire[$0..<$1]) }
                let (lent, events) = Self.read(&connection, chunks)
                #expect(lent.map(Self.describe) == expected.map(Self.describe), "cut \(cut), reads \(cuts)")
                #expect(events.isEmpty, "cut \(cut), reads \(cuts)")
                #expect(connection.stageRetainsMemory == false)
            }
        }
    }

    /// Invalid UTF-8 in a text frame whose header was split fails with 1007 before the frame
    /// ends, and a split header over the message limit fails with 1009: as on the staged path.
    @Test func aSplitHeaderFrameFailsAsTheStagedPathDoes() throws {
        var connection = try Harness.openServer()
        let invalid = Wire.frame(0x1, [0x61, 0xED, 0xA0, 0x80] + Array(repeating: 0x61, count: 300), masked: true)
        _ = Self.read(&connection, [Array(invalid[..<3]), Array(invalid[3..<40])])
        let close = try #require(try Harness.frames(in: connection.takeOutput(), sentBy: .server).last)
        #expect(close.opcode == .close && Array(close.payload.prefix(2)) == [0x03, 0xEF])  // 1007

        var configuration = Configuration()
        configuration.maxMessageSize = 100
        var limited = try Harness.openServer(configuration)
        let long = Wire.frame(0x2, [UInt8](repeating: 1, count: 300), masked: true)
        let (lent, _) = Self.read(&limited, [Array(long[..<2]), Array(long[2...])])
        #expect(lent.isEmpty)
        let tooBig = try #require(try Harness.frames(in: limited.takeOutput(), sentBy: .server).last)
        #expect(tooBig.opcode == .close && Array(tooBig.payload.prefix(2)) == [0x03, 0xF1])  // 1009
    }

    /// With `keepsMemoryBetweenReads` (our driver's setting) the gathering memory outlives
    /// reads that end between frames, for the next split frame, until `releaseIdleMemory()`;
    /// without it, such a read releases it.
    @Test(arguments: [false, true])
    func memoryIsKeptBetweenReadsUntilReleased(keeps: Bool) throws {
        var connection = try Harness.openServer()
        connection.keepsMemoryBetweenReads = keeps
        let frame = Wire.frame(0x2, [UInt8](repeating: 3, count: 60_000), masked: true)
        _ = Self.read(&connection, [Array(frame[..<100])])
        #expect(connection.stageRetainsMemory && connection.retainsBurstMemory, "gathering")
        let (lent, _) = Self.read(&connection, [Array(frame[100...]) + frame])
        #expect(lent.count == 2)
        #expect(connection.stageRetainsMemory == keeps, "the read ended between frames")
        #expect(connection.retainsBurstMemory == keeps)
        connection.releaseIdleMemory()
        #expect(connection.stageRetainsMemory == false && connection.retainsBurstMemory == false)
        // A frame being gathered keeps its memory through a release.
        _ = Self.read(&connection, [Array(frame[..<100])])
        connection.releaseIdleMemory()
        let (last, _) = Self.read(&connection, [Array(frame[100...])])
        #expect(last.map(Self.describe) == [Message.binary([UInt8](repeating: 3, count: 60_000))].map(Self.describe))
    }

    /// A gathered text frame that ends inside a character fails with 1007, as the staged path.
    @Test func aGatheredTextFrameEndingInsideACharacterFails1007() throws {
        var connection = try Harness.openServer()
        let wire = Wire.frame(0x1, Array("abcdef".utf8) + [0xCE], masked: true)
        let (lent, _) = Self.read(&connection, [Array(wire[..<8]), Array(wire[8...])])
        #expect(lent.isEmpty)
        let close = try #require(try Harness.frames(in: connection.takeOutput(), sentBy: .server).last)
        #expect(close.opcode == .close && Array(close.payload.prefix(2)) == [0x03, 0xEF])  // 1007
    }

    /// Invalid UTF-8 in the first part of a gathered text frame fails at once, before the rest
    /// arrives (Autobahn 6.4.3/6.4.4 send a frame in chunks and wait for the close).
    @Test func invalidUTF8InAGatheredFrameFailsBeforeItEnds() throws {
        var connection = try Harness.openServer()
        let wire = Wire.frame(0x1, [0x61, 0xED, 0xA0, 0x80] + Array(repeating: 0x61, count: 100), masked: true)
        let (lent, _) = Self.read(&connection, [Array(wire[..<20])])
        #expect(lent.isEmpty)
        #expect(connection.phase == .closed || connection.closeInfo != nil || connection.hasOutput)
        let close = try #require(try Harness.frames(in: connection.takeOutput(), sentBy: .server).last)
        #expect(close.opcode == .close && Array(close.payload.prefix(2)) == [0x03, 0xEF])  // 1007
    }

    /// A frame being gathered may end through `receive(_:)` (a driver whose handler went away):
    /// it is then reported as a message event with its own array.
    @Test func aGatheredFrameCanEndThroughReceive() throws {
        var connection = try Harness.openServer()
        let payload = (0..<3_000).map { UInt8(truncatingIfNeeded: $0) }
        let wire = Wire.frame(0x2, payload, masked: true) + Wire.frame(0x2, [5], masked: true)
        let (lent, _) = Self.read(&connection, [Array(wire[..<100])])
        #expect(lent.isEmpty && connection.stageRetainsMemory)
        Array(wire[100...]).withUnsafeBytes { connection.receive($0) }
        let messages = connection.takeEvents().compactMap { if case .message(let m) = $0 { m } else { nil } }
        #expect(messages.map(Self.describe) == [Message.binary(payload), .binary([5])].map(Self.describe))
    }

    /// A copied connection gathers on its own: the copy writes to memory of its own.
    @Test func aCopiedConnectionGathersOnItsOwn() throws {
        var first = try Harness.openServer()
        let a = Wire.frame(0x2, [UInt8](repeating: 1, count: 1_000), masked: true)
        let b = Wire.frame(0x2, [UInt8](repeating: 2, count: 1_000), masked: true)
        _ = Self.read(&first, [Array(a[..<500])])
        var second = first
        // The same connection state, fed another frame's continuation (same masking key): the
        // first 492 payload bytes are the first frame's, the rest the second's. The two go on
        // in turns, writing the same offsets of what would be shared memory.
        var (fromSecond, _) = Self.read(&second, [Array(b[500..<700])])
        var (fromFirst, _) = Self.read(&first, [Array(a[500..<600])])
        fromSecond += Self.read(&second, [Array(b[700...])]).lent
        fromFirst += Self.read(&first, [Array(a[600...])]).lent
        #expect(fromFirst.map(Self.describe) == [Message.binary([UInt8](repeating: 1, count: 1_000))].map(Self.describe))
        let mixed = [UInt8](repeating: 1, count: 492) + [UInt8](repeating: 2, count: 508)
        #expect(fromSecond.map(Self.describe) == [Message.binary(mixed)].map(Self.describe))
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
