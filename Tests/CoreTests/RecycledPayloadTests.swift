import Testing
import WebSocketCore
import WebSocketTestSupport

/// `Connection.recycle`: the array of a large payload the driver has written becomes the memory
/// of the next large message received, and counts as burst memory until the connection idles.
@Suite("Core: recycled payload memory")
struct RecycledPayloadTests {
    static func address(_ array: [UInt8]) -> UnsafePointer<UInt8>? {
        array.withUnsafeBufferPointer { $0.baseAddress }
    }

    @Test func theNextLargeMessageIsReceivedIntoTheOfferedArray() throws {
        var connection = try Harness.openServer()
        #expect(!connection.retainsBurstMemory)
        var written = [UInt8](repeating: 0xEE, count: 64 * 1024)
        let offeredAddress = Self.address(written)
        connection.recycle(written)
        written = []  // the driver's reference dropped: the Core holds the only one
        #expect(connection.retainsBurstMemory, "held for the next large payload: burst memory")

        let payload = (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        connection.receiveFrame(0x2, payload)
        guard case .message(let message)? = connection.nextEvent() else {
            Issue.record("no message")
            return
        }
        #expect(message.data == payload)
        #expect(Self.address(message.data) == offeredAddress, "no new array for it")
    }

    @Test func idleReleaseDropsTheOfferedArray() throws {
        var connection = try Harness.openServer()
        connection.recycle([UInt8](repeating: 1, count: 64 * 1024))
        #expect(connection.retainsBurstMemory)
        connection.releaseIdleMemory()
        #expect(!connection.retainsBurstMemory)
        connection.recycle([UInt8](repeating: 1, count: 1024))
        #expect(!connection.retainsBurstMemory, "a small array is not kept")
    }

    @Test("written chunks come back: the header's array as the output, the payload's for the next message")
    func writtenChunksAreTakenBack() throws {
        var connection = try Harness.openServer()
        var large = (0..<64 * 1024).map { UInt8(truncatingIfNeeded: $0) }
        try connection.send(.binary(large))
        var chunks: [[UInt8]] = []
        connection.takeOutput(into: &chunks)
        #expect(chunks.count == 2, "the header's array, then the payload's own")
        let headerAddress = Self.address(chunks[0])
        let payloadAddress = Self.address(chunks[1])
        large = []  // the sender is done with it: the chunk holds the only reference
        connection.recycle(writtenChunks: &chunks)
        #expect(chunks.isEmpty)
        #expect(connection.retainsBurstMemory)

        // The next large message sent: its header is written into the header's old array.
        try connection.send(.binary([UInt8](repeating: 3, count: 20_000)))
        connection.takeOutput(into: &chunks)
        #expect(chunks.count == 2 && Self.address(chunks[0]) == headerAddress)
        chunks.removeAll()

        // The next large message received: its payload lands in the payload's old array.
        let payload = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        connection.receiveFrame(0x2, payload)
        guard case .message(let message)? = connection.nextEvent() else {
            Issue.record("no message")
            return
        }
        #expect(message.data == payload && Self.address(message.data) == payloadAddress)
    }

    /// A write that carried several messages (a round's answers written together) brings every
    /// array back: each header's for a later header, each payload's for a later payload.
    @Test func aWriteOfSeveralMessagesBringsEveryArrayBack() throws {
        var connection = try Harness.openServer()
        var sent = (0..<3).map { index in [UInt8](repeating: UInt8(index), count: 20_000 + index) }
        for payload in sent { try connection.send(.binary(payload)) }
        var chunks: [[UInt8]] = []
        connection.takeOutput(into: &chunks)
        #expect(chunks.count == 6, "header, payload, three times")
        let headers = Set(stride(from: 0, to: chunks.count, by: 2).map { Self.address(chunks[$0]) })
        let payloads = Set(stride(from: 1, to: chunks.count, by: 2).map { Self.address(chunks[$0]) })
        sent = []  // the sender is done with them
        connection.recycle(writtenChunks: &chunks)
        #expect(chunks.isEmpty && connection.retainsBurstMemory)

        // Three more large messages sent: every header is written into one of the old arrays.
        for index in 0..<3 { try connection.send(.binary([UInt8](repeating: 9, count: 30_000 + index))) }
        connection.takeOutput(into: &chunks)
        #expect(chunks.count == 6)
        let newHeaders = Set(stride(from: 0, to: chunks.count, by: 2).map { Self.address(chunks[$0]) })
        #expect(newHeaders == headers, "no new array for a header")
        chunks.removeAll()

        // Three large messages received: each lands in one of the old payload arrays.
        var received = Set<UnsafePointer<UInt8>?>()
        for index in 0..<3 {
            let payload = (0..<(19_000 + index)).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ index) }
            connection.receiveFrame(0x2, payload)
            guard case .message(let message)? = connection.nextEvent() else {
                Issue.record("no message")
                return
            }
            #expect(message.data == payload)
            received.insert(Self.address(message.data))
        }
        #expect(received == payloads, "no new array for a payload")

        connection.releaseIdleMemory()
        #expect(!connection.retainsBurstMemory, "spares and offered arrays released when idle")
    }
}
