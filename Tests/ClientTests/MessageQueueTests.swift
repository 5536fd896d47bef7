import Testing
@testable import WebSocketDriver
import WebSocketCore

/// The driver's inbound FIFO (internal, hence `@testable`).
@Suite("Driver: message queue")
struct MessageQueueTests {
    @Test("keeps order when it never runs dry, then drains")
    func orderWhenNeverDry() {
        var queue = MessageQueue()
        var next = 0
        var expected = 0
        for _ in 0..<5_000 {
            // Two in, one out: after the first round the queue is never empty.
            for _ in 0..<2 {
                queue.append(.binary([UInt8(truncatingIfNeeded: next), UInt8(truncatingIfNeeded: next >> 8)]))
                next += 1
            }
            let message = queue.popFirst()
            #expect(message?.data == [UInt8(truncatingIfNeeded: expected), UInt8(truncatingIfNeeded: expected >> 8)])
            expected += 1
        }
        while let message = queue.popFirst() {
            #expect(message.data == [UInt8(truncatingIfNeeded: expected), UInt8(truncatingIfNeeded: expected >> 8)])
            expected += 1
        }
        #expect(expected == next)
        #expect(queue.isEmpty)
    }

    @Test("holds no reference to a taken message while later ones wait")
    func takenMessagesAreReleased() {
        var queue = MessageQueue()
        var bytes = [UInt8](repeating: 1, count: 64)
        queue.append(.binary(bytes))
        queue.append(.binary([2]))
        _ = queue.popFirst()  // `bytes`' storage must now be ours alone again
        let before = bytes.withUnsafeBufferPointer { $0.baseAddress }
        bytes[0] = 9  // copies on write if the queue still holds the storage
        let after = bytes.withUnsafeBufferPointer { $0.baseAddress }
        #expect(before == after, "the queue kept a taken message's bytes alive")
        #expect(queue.popFirst()?.data == [2])
    }
}
