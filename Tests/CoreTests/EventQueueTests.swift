import Testing
@testable import WebSocketCore

/// The Core's event queue, whose count lives beside its array: events come out oldest first,
/// the queue empties once all are taken (and fills again from the start), and "did the
/// decoding since then end with a message" looks at the newest event only.
@Suite("EventQueue: the Core's pending events")
struct EventQueueTests {
    static func pong(_ byte: UInt8) -> Event { .pong([byte]) }

    static func byte(_ event: Event?) -> UInt8? {
        guard case .pong(let payload)? = event else { return nil }
        return payload.first
    }

    @Test func eventsComeOutOldestFirstAndTheQueueEmpties() {
        var queue = EventQueue()
        #expect(queue.isEmpty && queue.next() == nil)
        for round in 0..<3 {
            for byte in UInt8(0)..<5 { queue.append(Self.pong(byte &+ UInt8(round * 10))) }
            #expect(queue.total == 5 && !queue.isEmpty)
            #expect(Self.byte(queue.next()) == UInt8(round * 10))
            queue.append(Self.pong(99))  // appended while others wait: comes out after them
            let rest = (0..<5).map { _ in Self.byte(queue.next()) }
            #expect(rest == [1, 2, 3, 4, 99].map { $0 == 99 ? 99 : $0 &+ UInt8(round * 10) })
            #expect(queue.next() == nil)
            #expect(queue.total == 0 && queue.isEmpty, "emptied once all were taken")
        }
    }

    @Test func endsWithMessageLooksAtTheEventsAfterTheCount() {
        var queue = EventQueue()
        let message = Event.message(Message(kind: .binary, data: [1]))
        #expect(!queue.endsWithMessage(after: 0))
        queue.append(message)
        #expect(queue.endsWithMessage(after: 0))
        #expect(!queue.endsWithMessage(after: 1), "nothing appended after the first event")
        queue.append(Self.pong(7))
        #expect(!queue.endsWithMessage(after: 1), "the newest event is a pong")
        queue.append(message)
        #expect(queue.endsWithMessage(after: 2))
    }
}
