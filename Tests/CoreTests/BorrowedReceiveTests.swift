import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// `receive(UnsafeRawBufferPointer)` decodes frames straight from the transport's buffer and
/// stages only leftovers; the generic `receive(_:)` stages everything first. Both must behave
/// identically for any bytes in any chunking: same events, same output, same close.
@Suite("Core: borrowed receive matches staged receive")
struct BorrowedReceiveTests {
    /// A stream of frames a client might send: small and large (16- and 64-bit lengths), text
    /// and binary, fragmented, control frames between fragments, and, for some seeds, a
    /// violation (invalid UTF-8, a reserved opcode, an RSV bit, an unmasked frame) somewhere.
    static func stream(seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        var bytes: [UInt8] = []
        let frames = Int.random(in: 1...12, using: &random)
        for _ in 0..<frames {
            let size = [0, 1, 125, 126, 1000, 65_535, 65_536, 70_000].randomElement(using: &random)!
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                bytes += Wire.frame(0x1, Array(repeating: UInt8(ascii: "a"), count: size), masked: true)
            case 1:
                bytes += Wire.frame(0x2, payload, fin: false, masked: true)
                bytes += Wire.frame(0x9, [1, 2, 3], masked: true)
                bytes += Wire.frame(0x0, payload, masked: true)
            case 2:
                bytes += Wire.frame(0x9, Array(payload.prefix(125)), masked: true)
            default:
                bytes += Wire.frame(0x2, payload, masked: true)
            }
        }
        switch seed % 6 {
        case 0: bytes += Wire.frame(0x1, [0x61, 0xC0, 0x80, 0x61], masked: true)  // invalid UTF-8: 1007
        case 1: bytes += Wire.frame(0x3, [1], masked: true)  // reserved opcode: 1002
        case 2: bytes += Wire.frame(0x2, [1], rsv: 0x40, masked: true)  // RSV1 unnegotiated: 1002
        case 3: bytes += Wire.frame(0x2, [1], masked: false)  // unmasked from a client: 1002
        case 4: bytes += Wire.frame(0x8, Wire.closePayload(1000), masked: true)
        default: break
        }
        bytes += Wire.frame(0x2, [9, 9, 9], masked: true)  // after a violation: never processed
        return bytes
    }

    /// Everything observable about a connection after a step.
    static func snapshot(_ connection: inout Connection) -> [String] {
        var seen = events(&connection)
        seen.append("output \(connection.takeOutput())")
        seen.append("phase \(connection.phase) paused \(connection.isInputPaused)")
        return seen
    }

    /// The events so far, a message as its kind, size and checksum.
    static func events(_ connection: inout Connection) -> [String] {
        connection.takeEvents().map { event -> String in
            if case .message(let message) = event { return InPlaceReceiveTests.describe(message) }
            return String(describing: event)
        }
    }

    /// Feeds the stream of `seed` in random chunks (drawn from `chunkSeed`) to one connection
    /// through the staged `receive(_:)` and to another through `receiveStep`, which returns what
    /// it observed: both must observe the same after every chunk, after every credit grant
    /// (every other seed grants one message of credit at a time), and at EOF.
    static func expectAgreementWithStaged(
        seed: UInt64, chunkSeed: UInt64, _ receiveStep: (inout Connection, [UInt8]) -> [String]
    ) throws {
        let bytes = stream(seed: seed)
        var staged = try Harness.openServer()
        var other = try Harness.openServer()
        _ = snapshot(&staged)
        _ = snapshot(&other)
        var random = SeededRandom(seed: chunkSeed)
        let usesCredit = seed % 2 == 0
        if usesCredit {
            staged.grantMessageCredit(1)
            other.grantMessageCredit(1)
        }
        // A third of the seeds close at a random step: from there both read on past the credit
        // to the peer's Close and drop the data messages they have no room for.
        let closeStep = seed % 3 == 0 ? Int.random(in: 0..<12, using: &random) : nil
        var offset = 0
        var step = 0
        while offset < bytes.count {
            let size = Swift.min(bytes.count - offset, [1, 2, 7, 14, 100, 4096, 65_536, 200_000].randomElement(using: &random)!)
            let chunk = Array(bytes[offset..<(offset + size)])
            offset += size
            staged.receive(chunk)
            let expected = snapshot(&staged)
            let actual = receiveStep(&other, chunk)
            #expect(actual == expected, "seed \(seed), step \(step)")
            if actual != expected { return }
            if step == closeStep {
                try staged.close()
                try other.close()
                #expect(snapshot(&other) == snapshot(&staged), "seed \(seed), close after step \(step)")
            }
            if usesCredit && Bool.random(using: &random) {
                staged.grantMessageCredit(1)
                other.grantMessageCredit(1)
                #expect(snapshot(&other) == snapshot(&staged), "seed \(seed), credit after step \(step)")
            }
            step += 1
        }
        staged.grantMessageCredit(nil)
        other.grantMessageCredit(nil)
        staged.receiveEOF()
        other.receiveEOF()
        #expect(snapshot(&other) == snapshot(&staged), "seed \(seed), at EOF")
        #expect(other.closeInfo?.code == staged.closeInfo?.code)
    }

    @Test("same events and output in any chunking, with and without message credit", arguments: 0..<60)
    func borrowedAndStagedAgree(seed: UInt64) throws {
        try Self.expectAgreementWithStaged(seed: seed, chunkSeed: seed &+ 1000) { connection, chunk in
            chunk.withUnsafeBytes { connection.receive($0) }
            return Self.snapshot(&connection)
        }
    }

    @Test("a large frame split across reads arrives whole and unmasked")
    func largeFrameAcrossReads() throws {
        var connection = try Harness.openServer()
        _ = connection.takeEvents()
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let bytes = Wire.frame(0x2, payload, masked: true)
        for start in stride(from: 0, to: bytes.count, by: 65_536) {
            Array(bytes[start..<min(bytes.count, start + 65_536)]).withUnsafeBytes { connection.receive($0) }
        }
        let messages = connection.receivedMessages()
        #expect(messages.count == 1)
        #expect(messages.first?.data == payload)
    }
}
