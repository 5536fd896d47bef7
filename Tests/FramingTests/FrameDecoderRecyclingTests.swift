import Testing
@testable import WebSocketFraming

/// Payload memory handed back with `recycle`: a large payload is decoded into the offered
/// array's memory (whole in one call, or arriving over several), never into memory someone
/// else still holds, and not for small payloads or arrays far larger than the payload.
@Suite("FrameDecoder: recycled payload memory")
struct FrameDecoderRecyclingTests {
    static let key = MaskingKey(0x12, 0x34, 0x56, 0x78)

    static func payload(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed }
    }

    /// A masked binary frame (as a client sends it) carrying `payload`.
    static func wire(_ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        FrameEncoder.encode(Frame(opcode: .binary, payload: payload), maskingKey: key, into: &bytes)
        return bytes
    }

    /// An array of `capacity` bytes, filled, as a driver would offer after writing it.
    static func written(_ capacity: Int) -> [UInt8] {
        [UInt8](repeating: 0xEE, count: capacity)
    }

    static func address(_ array: [UInt8]) -> UnsafePointer<UInt8>? {
        array.withUnsafeBufferPointer { $0.baseAddress }
    }

    /// Decodes `bytes` from borrowed memory in `chunks` pieces; returns the frames.
    static func decode(_ decoder: inout FrameDecoder, _ bytes: [UInt8], chunks: Int = 1) throws -> [Frame] {
        var frames: [Frame] = []
        let size = (bytes.count + chunks - 1) / chunks
        for start in stride(from: 0, to: bytes.count, by: size) {
            let piece = Array(bytes[start..<min(start + size, bytes.count)])
            try piece.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count, let frame = try decoder.decode(from: raw, offset: &offset) { frames.append(frame) }
            }
        }
        return frames
    }

    @Test("a large payload lands in the offered memory, whole or over several reads", arguments: [1, 3])
    func largePayloadUsesTheOfferedArray(chunks: Int) throws {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        decoder.recycle(Self.written(64 * 1024))
        let recycledAddress = Self.address(decoder.recycled.last ?? [])
        #expect(decoder.holdsRecycledStorage)
        let expected = Self.payload(60_000, seed: 5)
        let frames = try Self.decode(&decoder, Self.wire(expected), chunks: chunks)
        #expect(frames.count == 1 && frames[0].payload == expected)
        #expect(Self.address(frames[0].payload) == recycledAddress, "decoded into the offered memory")
        #expect(!decoder.holdsRecycledStorage, "used once")

        // The next large payload gets a new array (nothing offered since).
        let next = try Self.decode(&decoder, Self.wire(Self.payload(60_000, seed: 9)), chunks: chunks)
        #expect(next.count == 1 && Self.address(next[0].payload) != recycledAddress)
    }

    @Test("an array someone still holds is never written: the payload gets new memory")
    func sharedArrayIsLeftIntact() throws {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        let held = Self.written(64 * 1024)  // e.g. the application still holds its message
        decoder.recycle(held)
        let expected = Self.payload(50_000, seed: 1)
        let frames = try Self.decode(&decoder, Self.wire(expected))
        #expect(frames.count == 1 && frames[0].payload == expected)
        #expect(Self.address(frames[0].payload) != Self.address(held))
        #expect(held == Self.written(64 * 1024), "the holder's bytes are unchanged")
    }

    @Test("small payloads, arrays far larger than the payload, and out-of-bounds offers are passed over")
    func offersThatDoNotFitAreNotUsed() throws {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        decoder.recycle(Self.written(8 * 1024))
        #expect(!decoder.holdsRecycledStorage, "below 16 KiB: not kept")
        decoder.recycle(Self.written(2 << 20))
        #expect(!decoder.holdsRecycledStorage, "over 1 MiB: not kept")

        decoder.recycle(Self.written(256 * 1024))
        let recycledAddress = Self.address(decoder.recycled.last ?? [])
        let small = try Self.decode(&decoder, Self.wire(Self.payload(1000, seed: 2)))
        #expect(small.count == 1 && Self.address(small[0].payload) != recycledAddress)
        let quarter = try Self.decode(&decoder, Self.wire(Self.payload(64 * 1024, seed: 3)))
        #expect(quarter.count == 1 && Self.address(quarter[0].payload) != recycledAddress,
                "a 64 KiB payload does not take a 256 KiB array")
        #expect(decoder.holdsRecycledStorage, "still offered for a payload that fits it")
        decoder.releaseRecycledStorage()
        #expect(!decoder.holdsRecycledStorage)
    }

    @Test("several offers are kept, newest first, within 8 arrays and 1 MiB; the oldest make room")
    func severalOffersAreKeptWithinTheBounds() throws {
        var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
        var addresses: [UnsafePointer<UInt8>?] = []
        for _ in 0..<3 {
            let offer = Self.written(64 * 1024)  // the decoder's reference is the only one left
            addresses.append(Self.address(offer))
            decoder.recycle(offer)
        }
        #expect(decoder.recycled.count == 3)
        var used: [UnsafePointer<UInt8>?] = []
        for index in 0..<3 {
            let expected = Self.payload(60_000, seed: UInt8(index))
            let frames = try Self.decode(&decoder, Self.wire(expected))
            #expect(frames.count == 1 && frames[0].payload == expected)
            used.append(Self.address(frames[0].payload))
        }
        #expect(used == addresses.reversed(), "the newest offer first, each used once")
        #expect(!decoder.holdsRecycledStorage)

        for _ in 0..<(FrameDecoder.maxRecycledPayloads + 3) { decoder.recycle(Self.written(16 * 1024)) }
        #expect(decoder.recycled.count == FrameDecoder.maxRecycledPayloads, "at most 8 arrays")
        decoder.recycle(Self.written(960 * 1024))
        #expect(decoder.recycled.count <= 5, "a 960 KiB offer leaves room for at most four of the older ones")
        #expect(decoder.recycled.map(\.capacity).reduce(0, +) <= 1 << 20)
        decoder.recycle(Self.written(512 * 1024))
        #expect(decoder.recycled.map(\.capacity).reduce(0, +) <= 1 << 20)
        #expect(decoder.recycled.last?.capacity ?? 0 >= 512 * 1024, "the newest is kept")
    }
}
