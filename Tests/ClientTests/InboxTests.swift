import Testing
@testable import WebSocketDriver
import WebSocketCore

/// The driver's lock-protected hand-off of received messages (internal, hence `@testable`):
/// message credit must follow the Core's rule, and the loop must be woken once per batch.
@Suite("Driver: inbox")
struct InboxTests {
    static func message(_ byte: UInt8) -> Message { .binary([byte]) }

    /// Delivers `message` where no consumer waits: it is queued, nobody to resume.
    static func queue(_ inbox: Inbox, _ message: Message) {
        #expect(inbox.deliver(message) == nil)
    }

    static func take(_ inbox: Inbox) -> (byte: UInt8?, wake: Bool) {
        let poll = inbox.poll(onLoop: true)
        let message = try? poll.result?.get()
        return (message?.data.first, poll.wakeLoop)
    }

    @Test("a message counts against the read-ahead until the next one is asked for")
    func creditFollowsTheNextRequest() {
        let inbox = Inbox(maxQueuedMessages: 8)
        #expect(Self.take(inbox).byte == nil)
        Self.queue(inbox, Self.message(1))
        #expect(Self.take(inbox).byte == 1)
        #expect(inbox.takeCredit().messages == 0, "message 1 is still being handled")
        #expect(Self.take(inbox).byte == nil)
        #expect(inbox.takeCredit().messages == 1, "asking again finished message 1")
        #expect(inbox.takeCredit().messages == 0)
    }

    @Test("a waiting loop is woken once per half read-ahead, not per message")
    func wakesOncePerBatch() {
        let inbox = Inbox(maxQueuedMessages: 8)
        for byte in UInt8(1)...6 { Self.queue(inbox, Self.message(byte)) }
        #expect(inbox.awaitCredit().messages == 0)
        let wakes = (1...5).map { _ in Self.take(inbox).wake }
        #expect(wakes == [false, false, false, false, true], "the 5th request finishes the 4th message")
        #expect(inbox.takeCredit().messages == 4)
        #expect(Self.take(inbox).wake == false, "nobody waits any more")
    }

    @Test("a waiting loop is woken at once when the queue runs dry")
    func wakesWhenDry() {
        let inbox = Inbox(maxQueuedMessages: 16)
        Self.queue(inbox, Self.message(1))
        #expect(inbox.awaitCredit().messages == 0)
        #expect(Self.take(inbox) == (1, false))
        let dry = Self.take(inbox)
        #expect(dry.byte == nil && dry.wake)
        #expect(inbox.awaitCredit().messages == 1, "credit freed meanwhile is handed over at once")
    }

    /// Credit freed off the loop is never taken inline by the loop (its consumer's sends may
    /// still wait in the loop's queue): it comes back to the consumer, per batch, to hand over
    /// with a loop task queued behind those sends.
    @Test("credit freed off the loop goes through a loop task, per batch")
    func offLoopCreditNeedsALoopTask() {
        let inbox = Inbox(maxQueuedMessages: 8)
        for byte in UInt8(1)...6 { Self.queue(inbox, Self.message(byte)) }
        #expect(inbox.awaitCredit().messages == 0)
        let handed = (1...5).map { _ in inbox.poll(onLoop: false).creditForLoopTask.messages }
        #expect(handed == [0, 0, 0, 0, 4], "the 5th request finishes the 4th message")
        #expect(inbox.takeCredit().messages == 0 && inbox.awaitCredit().messages == 0, "the loop never takes it inline")
        #expect(inbox.poll(onLoop: false).creditForLoopTask.messages == 1, "taking the last one (6) hands over 5's")
        let dry = inbox.poll(onLoop: false)
        #expect(dry.creditForLoopTask.messages == 1 && dry.result == nil, "then 6's, as the consumer is about to wait")
        #expect(dry.wakeLoop == false)
    }

    @Test("the end comes after every queued message")
    func endAfterQueuedMessages() throws {
        let inbox = Inbox(maxQueuedMessages: 4)
        Self.queue(inbox, Self.message(1))
        inbox.finish(.success(nil))
        #expect(Self.take(inbox).byte == 1)
        let end = inbox.poll(onLoop: true).result
        #expect(end != nil)
        #expect(try end?.get() == nil)
    }

    @Test("a parked consumer is resumed by the next delivery, then by the end")
    func parkedConsumerIsResumed() async throws {
        let inbox = Inbox(maxQueuedMessages: 4)
        async let first = withUnsafeThrowingContinuation { continuation in
            _ = inbox.poll(orPark: continuation, onLoop: false)
        }
        try await Task.sleep(for: .milliseconds(20))
        let handoff = inbox.deliver(Self.message(7))
        #expect(handoff != nil, "a consumer parked off the loop is handed back for the end of the round")
        #expect(inbox.queuedCount == 0)
        handoff?.resume()
        #expect(try await first?.data == [7])
        let second = Task {
            try await withUnsafeThrowingContinuation { continuation in
                _ = inbox.poll(orPark: continuation, onLoop: false)
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        inbox.finish(.failure(CancellationError()))
        await #expect(throws: CancellationError.self) { try await second.value }
    }

    /// Payload bytes are credit too: a consumer that finished half the byte read-ahead hands it
    /// over even when few messages were freed, with the bytes they held.
    @Test("freed payload bytes fill a batch as messages do")
    func bytesFillABatch() {
        let inbox = Inbox(maxQueuedMessages: 256, maxQueuedBytes: 1000)
        for byte in UInt8(1)...4 { Self.queue(inbox, .binary([UInt8](repeating: byte, count: 300))) }
        let handed = (1...3).map { _ in inbox.poll(onLoop: false).creditForLoopTask }
        #expect(handed == [Inbox.Credit(), Inbox.Credit(), Inbox.Credit(messages: 2, bytes: 600)],
                "600 bytes freed by the 3rd request reach half of 1000")
        #expect(inbox.awaitCredit() == Inbox.Credit())
        Self.queue(inbox, .binary([]))
        #expect(Self.take(inbox).wake == false, "the 3rd message's 300 bytes: under half")
        #expect(Self.take(inbox).wake, "with the 4th's, 600: the waiting loop is woken")
        #expect(inbox.takeCredit() == Inbox.Credit(messages: 2, bytes: 600))
        #expect(Self.take(inbox).byte == nil && inbox.takeCredit() == Inbox.Credit(messages: 1, bytes: 0),
                "the empty message frees one credit and no bytes")
    }

    @Test("a consumer parked on the loop is resumed at once, not handed back")
    func aConsumerOnTheLoopIsResumedAtOnce() async throws {
        let inbox = Inbox(maxQueuedMessages: 4)
        async let first = withUnsafeThrowingContinuation { continuation in
            _ = inbox.poll(orPark: continuation, onLoop: true)
        }
        while !inbox.hasWaiter { try await Task.sleep(for: .milliseconds(5)) }
        #expect(inbox.deliver(Self.message(3)) == nil)
        #expect(try await first?.data == [3])
    }

    /// A consumer off the loop extends the read-ahead with its first request, through the same
    /// loop task as the credit it frees; a consumer on the loop never does.
    @Test("the first request off the loop hands over the extended read-ahead")
    func offLoopConsumerExtendsTheReadAhead() {
        let inbox = Inbox(readAhead: 16, offLoopReadAhead: 256, maxQueuedBytes: 1 << 20)
        Self.queue(inbox, Self.message(1))
        #expect(inbox.poll(onLoop: true).wakeLoop == false)
        let first = inbox.poll(onLoop: false)
        #expect(first.creditForLoopTask == Inbox.Credit(messages: 241, bytes: 1),
                "240 more messages, with message 1, which the request finished")
        #expect(inbox.poll(onLoop: false).creditForLoopTask == Inbox.Credit(), "once")
    }
}
