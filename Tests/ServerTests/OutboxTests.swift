import Dispatch
import Synchronization
import Testing
@testable import WebSocketDriver
import WebSocketClient
import WebSocketCore
import WebSocketFraming
import WebSocketServer
import WebSocketTransport

/// Off-loop sends go to the loop through the connection's ``Outbox``: the first of a batch
/// schedules one loop task, which hands every message queued by then to the Core, in order.
/// (Internal, hence `@testable`.)
@Suite("Outbox: off-loop sends, one loop task per batch", .timeLimit(.minutes(1)))
struct OutboxTests {
    @Test func onlyTheFirstMessageOfABatchSchedulesTheDrain() {
        let outbox = Outbox()
        #expect(outbox.append(.binary([1]), allowsCompression: true))
        #expect(!outbox.append(.binary([2]), allowsCompression: false))
        #expect(!outbox.append(.text("3"), allowsCompression: true))
        var batch: [Outbox.Outgoing] = []
        outbox.take(into: &batch)
        #expect(batch.map(\.message) == [.binary([1]), .binary([2]), .text("3")])
        #expect(batch.map(\.allowsCompression) == [true, false, true])
        #expect(outbox.count == 0)
        #expect(outbox.append(.binary([4]), allowsCompression: true), "after a drain took them, the next schedules again")
    }

    /// With the client's loop busy, a burst of sends waits in the outbox (not as a loop task
    /// each); once the loop is free they reach the server whole and in order, ahead of the
    /// close that was asked for after them.
    @Test func aBurstWaitsInTheOutboxAndLeavesInOrderBeforeTheClose() async throws {
        let loop = EventLoop(name: "busy-loop")
        let (server, ws, received) = try await recordingServer(clientOn: loop)
        let release = DispatchSemaphore(value: 0)
        loop.execute { release.wait() }
        let burst = (0..<20).map { [UInt8](repeating: UInt8($0), count: 100 + $0) }
        let queued = try await Task.detached { () -> Int in
            for payload in burst { try await ws.send(.binary(payload)) }
            return ws.outbox.count
        }.value
        #expect(queued == burst.count, "every send of the burst waits in the outbox while the loop is busy")
        let closing = Task.detached { try await ws.close() }
        release.signal()
        let info = try await closing.value
        #expect(info.wasClean)
        #expect(try await received.waitFor(burst.count) == burst, "the burst, whole and in order, before the close")
        #expect(ws.outbox.count == 0)
        loop.syncShutdown()
        await server.shutdown()
    }

    /// A send off the loop that found the connection taking whole messages, queued just as
    /// another task began a fragmented message (the loop starts it ahead of the drain task),
    /// leaves after that message's final fragment (RFC 6455 §5.4). Its `send` had returned:
    /// the Core's refusal (`fragmentSequence`) dropped it silently before.
    @Test func aSendQueuedAsAFragmentedMessageBeginsLeavesAfterTheFinalFragment() async throws {
        let loop = EventLoop(name: "fragmenting-loop")
        let (server, ws, received) = try await recordingServer(clientOn: loop)
        let queued = DispatchSemaphore(value: 0)
        loop.execute {
            queued.wait()
            do {
                try ws.perform { (c: inout Connection) throws(ConnectionError) in
                    try c.sendFragment([1], opcode: .binary, isFinal: false)
                }
            } catch {
                Issue.record("the first fragment: \(error)")
            }
        }
        try await Task.detached { try await ws.send(.binary([9, 9])) }.value
        #expect(ws.outbox.count == 1, "queued behind the loop's task that begins the fragmented message")
        queued.signal()
        try await Task.detached { try await ws.sendFragment([2], opcode: .continuation, isFinal: true) }.value
        let info = try await Task.detached { try await ws.close() }.value
        #expect(info.wasClean)
        #expect(try await received.waitFor(2) == [[1, 2], [9, 9]], "the fragmented message, then the message queued as it began")
        #expect(ws.outbox.count == 0)
        loop.syncShutdown()
        await server.shutdown()
    }

    @Test func discardingEmptiesTheOutboxAndCountsTheBytes() {
        let outbox = Outbox()
        #expect(outbox.append(.binary([1, 2, 3]), allowsCompression: true))
        #expect(!outbox.append(.text("hello"), allowsCompression: true))
        #expect(outbox.discardAll() == 8)
        #expect(outbox.count == 0)
        #expect(outbox.append(.binary([4]), allowsCompression: true), "the next message schedules a drain again")
    }

    /// A send that passed the open-connection check just before the loop stopped (simulated:
    /// the gate is set again after the shutdown) must not report success for a message no loop
    /// will ever take: it throws `eventLoopShutdown` and leaves nothing queued.
    @Test func aSendRacingTheLoopsShutdownThrowsAndQueuesNothing() async throws {
        let loop = EventLoop(name: "stopping-loop")
        let (server, ws, _) = try await recordingServer(clientOn: loop)
        loop.syncShutdown()
        ws.sendGate.store(true, ordering: .relaxed)
        for payload: [UInt8] in [[1, 2, 3], [4]] {
            let error = await #expect(throws: WebSocketError.self) {
                try await Task.detached { try await ws.send(.binary(payload)) }.value
            }
            #expect(CallsAfterShutdownTests.isLoopShutdown(error), "\(String(describing: error))")
        }
        #expect(ws.outbox.count == 0)
        #expect(ws.unsentBytes.load(ordering: .relaxed) == 0)
        await server.shutdown()
    }
}
