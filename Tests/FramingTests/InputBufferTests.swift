import Testing
@testable import WebSocketFraming

@Suite("InputBuffer: the receive buffer under the RFC 6455 §5.2 parser")
struct InputBufferTests {
    @Test("appends every contiguous and non-contiguous byte collection")
    func appendKinds() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5]
        var buffer = InputBuffer()
        buffer.append(contentsOf: bytes)
        buffer.append(contentsOf: bytes[1..<3])
        bytes.withUnsafeBytes { buffer.append(contentsOf: $0) }
        bytes.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: "ab".utf8)
        buffer.append(contentsOf: CollectionOfOne(9))
        #expect(Array(buffer.readableBytes) == bytes + [2, 3] + bytes + bytes + [97, 98, 9])
        #expect(buffer.readableCount == 20 && !buffer.isEmpty)
    }

    @Test("consuming everything empties the storage but keeps its capacity")
    func fullConsumption() {
        var buffer = InputBuffer(Array(repeating: 7, count: 1000))
        let capacity = buffer.storage.capacity
        buffer.removeFirst(400)
        #expect(buffer.readableCount == 600 && buffer.readableBytes.first == 7)
        buffer.removeFirst(600)
        #expect(buffer.isEmpty && buffer.readIndex == 0 && buffer.storage.isEmpty)
        #expect(buffer.storage.capacity == capacity)
    }

    @Test("the consumed prefix is dropped once past half the storage and the threshold")
    func compaction() {
        var buffer = InputBuffer(Array(0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
        buffer.removeFirst(100)
        buffer.append(contentsOf: [1])
        #expect(buffer.readIndex == 100, "below the threshold: no memmove")
        buffer.removeFirst(5900)
        buffer.append(contentsOf: [2])
        #expect(buffer.readIndex == 0 && buffer.storage.count == 4002)
        #expect(buffer.readableBytes.first == UInt8(truncatingIfNeeded: 6000))
        #expect(buffer.readableBytes.last == 2)
    }

    @Test("steady state: append and consume in a loop never grows the storage")
    func steadyState() {
        var buffer = InputBuffer()
        let chunk = Array(repeating: UInt8(1), count: 1500)
        buffer.append(contentsOf: chunk)
        buffer.removeFirst(700)
        let capacity = buffer.storage.capacity
        var maximum = capacity
        for _ in 0..<10_000 {
            buffer.append(contentsOf: chunk)
            buffer.removeFirst(1500)
            maximum = max(maximum, buffer.storage.capacity)
        }
        #expect(maximum <= 2 * capacity + InputBuffer.compactionThreshold * 2)
        #expect(buffer.readableCount == 800)
    }

    @Test("removeAll discards the unread bytes")
    func removeAll() {
        var buffer = InputBuffer([1, 2, 3])
        buffer.removeFirst(1)
        buffer.removeAll(keepingCapacity: true)
        #expect(buffer.isEmpty && buffer.readableCount == 0)
        buffer.append(contentsOf: [4])
        #expect(Array(buffer.readableBytes) == [4])
        buffer.removeAll()
        #expect(buffer.isEmpty)
    }
}
