import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// A server's large payloads leave the Core as the sender's own arrays (no copy); the bytes on
/// the wire must be exactly those of the contiguous output, in order, whichever API the driver
/// takes them with.
@Suite("Core: chunked output for large unmasked payloads")
struct ChunkedOutputTests {
    /// An open server connection (the handshake's output already taken) that has sent the mix.
    static func serverAfterMix(large: [UInt8]) throws -> Connection {
        var connection = try Harness.openServer()
        try sendMix(&connection, large: large)
        return connection
    }

    static func sendMix(_ connection: inout Connection, large: [UInt8]) throws {
        try connection.send(text: "small before")
        try connection.send(binary: large)
        connection.receiveFrame(pingOpcode, [1, 2, 3])  // an automatic pong between them
        try connection.send(.binary(Array(large.prefix(Connection.zeroCopyThreshold - 1))))  // copied
        try connection.sendFragment(large, opcode: .binary, isFinal: false)
        try connection.sendFragment([9], opcode: .continuation, isFinal: true)
        try connection.close(code: .normalClosure, reason: "bye")
    }

    @Test("chunks join to the contiguous output, and the large payload is not copied")
    func chunksEqualContiguousOutput() throws {
        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var contiguous = try Self.serverAfterMix(large: large)
        var chunked = try Self.serverAfterMix(large: large)

        #expect(chunked.hasChunkedOutput)
        #expect(chunked.pendingOutputCount == contiguous.pendingOutputCount)
        let expected = contiguous.takeOutput()
        var chunks: [[UInt8]] = []
        chunked.takeOutput(into: &chunks)
        #expect(Array(chunks.joined()) == expected)
        #expect(!chunked.hasOutput && chunked.pendingOutputCount == 0)

        let largeAddress = large.withUnsafeBufferPointer { $0.baseAddress }
        let sharing = chunks.filter { chunk in chunk.withUnsafeBufferPointer { $0.baseAddress } == largeAddress }
        #expect(sharing.count == 2, "the message and the fragment both reference the sender's array")
        let frames = try Harness.frames(in: expected, sentBy: .server)
        #expect(frames.map(\.opcode) == [.text, .binary, .pong, .binary, .binary, .continuation, .close])
    }

    @Test("a client masks, so its output stays contiguous")
    func clientOutputIsNeverChunked() throws {
        var client = try Harness.openClient()
        _ = client.takeOutput()
        try client.send(binary: Array(repeating: 7, count: 100_000))
        #expect(!client.hasChunkedOutput)
        var chunks: [[UInt8]] = []
        client.takeOutput(into: &chunks)
        #expect(chunks.count == 1)
        #expect(try Harness.frames(in: chunks[0], sentBy: .client).first?.payload == Array(repeating: 7, count: 100_000))
    }

    @Test("writeOutput lends the same bytes in place, sealed chunks first; what the writer leaves stays output")
    func writeOutputLendsTheOutputInPlace() throws {
        let large = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var contiguous = try Self.serverAfterMix(large: large)
        var lent = try Self.serverAfterMix(large: large)
        let expected = contiguous.takeOutput()

        // A writer that takes only the first 1000 bytes: the rest is the output still.
        var written: [UInt8] = []
        lent.writeOutput { bytes in
            written.append(contentsOf: bytes.prefix(1000))
            bytes.removeFirst(1000)
        }
        #expect(!lent.hasChunkedOutput, "the sealed chunks were joined in front")
        #expect(lent.pendingOutputCount == expected.count - 1000)
        var calls = 0
        lent.writeOutput { bytes in
            calls += 1
            written.append(contentsOf: bytes)
            bytes.removeAll(keepingCapacity: true)
        }
        #expect(calls == 1 && written == expected)
        #expect(!lent.hasOutput && lent.pendingOutputCount == 0)

        // Small output is lent in the array it was encoded into, and the storage the writer
        // keeps is the one the next message is encoded into: one buffer for every message.
        lent = try Harness.openServer()
        try lent.send(text: "one")
        var firstAddress: UnsafePointer<UInt8>?
        lent.writeOutput { bytes in
            firstAddress = bytes.withUnsafeBufferPointer { $0.baseAddress }
            bytes.removeAll(keepingCapacity: true)
        }
        try lent.send(text: "two")
        var second: [UInt8] = []
        lent.writeOutput { bytes in
            #expect(bytes.withUnsafeBufferPointer { $0.baseAddress } == firstAddress)
            second = bytes
            bytes.removeAll(keepingCapacity: true)
        }
        #expect(try Harness.frames(in: second, sentBy: .server).map(\.payload) == [Array("two".utf8)])
    }
}
