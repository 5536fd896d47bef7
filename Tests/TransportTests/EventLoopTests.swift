import Dispatch
import Synchronization
import Testing
import WebSocketTestSupport
@testable import WebSocketTransport

@Suite("EventLoop: tasks, timers, shutdown")
struct EventLoopTests {
    @Test func executeRunsOnTheLoopThread() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            #expect(!loop.inEventLoop)
            let onItsThread = try await onLoop(loop) { loop.inEventLoop }
            #expect(onItsThread)
        }
    }

    /// A thread started after the loop's thread was joined may get its handle (glibc reuses a
    /// joined thread's descriptor with its stack, so the next thread of the same stack size
    /// usually does): it must not pass for the loop, or the loop's code (a `send`) would run on
    /// it. Found by TSan's slower scheduling: a task on the pool took the loop's path there.
    @Test func noThreadPassesForTheLoopAfterItsThreadEnded() async throws {
        let loop = EventLoop(name: "ended-loop")
        #expect(try await onLoop(loop) { loop.inEventLoop })
        loop.syncShutdown()
        for _ in 0..<8 {
            let seen = Locked<Bool?>(nil)
            let thread = try Syscall.spawnThread(name: "after-loop") { seen.withLock { $0 = loop.inEventLoop } }
            Syscall.join(thread)
            #expect(seen.withLock { $0 } == false)
        }
    }

    /// On the loop the task runs at once, ahead of what is queued; off it, it queues.
    @Test func executeHereOrEnqueueRunsInlineOnlyOnTheLoop() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let order = Locked<[String]>([])
            let done = try await onLoop(loop) { () -> Bool in
                loop.execute { order.withLock { $0.append("queued") } }
                loop.executeHereOrEnqueue { order.withLock { $0.append("inline") } }
                return order.withLock { $0 } == ["inline"]
            }
            #expect(done, "ran inline on the loop")
            let offLoop = Promise<Bool>("off the loop")
            loop.executeHereOrEnqueue { offLoop.fulfill(loop.inEventLoop) }
            #expect(try await offLoop.value(), "ran on the loop thread")
            #expect(order.withLock { $0 } == ["inline", "queued"])
        }
    }

    @Test func executeIsFIFOPerSubmitterAcrossThreads() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let seen = Locked<[[Int]]>(Array(repeating: [], count: 4))
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for index in 0..<1000 {
                    loop.execute { seen.withLock { $0[thread].append(index) } }
                }
            }
            _ = try await onLoop(loop) { () }
            for thread in 0..<4 {
                #expect(seen.withLock { $0[thread] } == Array(0..<1000))
            }
        }
    }

    @Test func timersRunInDeadlineOrderThenFIFO() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let order = Locked<[String]>([])
            let done = Promise<Void>("timers")
            loop.execute {
                for (label, delay) in [("30", 30), ("10a", 10), ("20", 20), ("10b", 10), ("0", 0)] {
                    loop.scheduleTask(in: .milliseconds(delay)) {
                        order.withLock { $0.append(label) }
                        if label == "30" { done.fulfill(()) }
                    }
                }
            }
            try await done.value()
            #expect(order.withLock { $0 } == ["0", "10a", "10b", "20", "30"])
        }
    }

    /// The timer heap against a sorted list: random whole-millisecond delays, a third cancelled
    /// on the loop (removal from the middle of the heap), the rest must run in (delay, order).
    /// Timers run in deadline order (ties in scheduling order). The expected order comes from
    /// the deadlines the loop recorded (`@testable`), not from the delays: scheduling 120 timers
    /// takes time, and on a loaded machine a later `in: 3 ms` can fall after an earlier `in: 4 ms`.
    @Test func randomTimersRunInSortedOrder() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            var generator = SystemRandomNumberGenerator()
            let delays = (0..<120).map { _ in Int.random(in: 0..<15, using: &generator) }
            let cancelled = Set((0..<120).filter { _ in Int.random(in: 0..<3, using: &generator) == 0 })
            let order = Locked<[Int]>([])
            let deadlines = Locked<[UInt64]>([])
            let done = Promise<Void>("timers")
            loop.execute {
                var handles: [Scheduled] = []
                for (index, delay) in delays.enumerated() {
                    handles.append(loop.scheduleTask(in: .milliseconds(delay)) { order.withLock { $0.append(index) } })
                }
                for index in cancelled { handles[index].cancel() }
                deadlines.withLock { $0 = handles.map(\.deadline) }
                loop.scheduleTask(in: .milliseconds(40)) { done.fulfill(()) }
            }
            try await done.value()
            let recorded = deadlines.withLock { $0 }
            let expected = delays.indices.filter { !cancelled.contains($0) }
                .sorted { (recorded[$0], $0) < (recorded[$1], $1) }
            #expect(order.withLock { $0 } == expected)
        }
    }

    @Test func timerNeverFiresEarly() async throws {
        try await withLoops { loops in
            let start = ContinuousClock.now
            let fired = Promise<Duration>("timer")
            loops[0].scheduleTask(in: .milliseconds(25)) { fired.fulfill(ContinuousClock.now - start) }
            let elapsed = try await fired.value()
            #expect(elapsed >= .milliseconds(25))
        }
    }

    /// `.seconds(.max)` (a user's "never") wrapped around to a deadline in the past and fired
    /// at once; it must stay the latest of all timers.
    @Test func aDelayOfSecondsMaxDoesNotWrapAround() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let never = Atomic<Bool>(false)
            let forever = loop.scheduleTask(in: .seconds(Int64.max)) { never.store(true, ordering: .relaxed) }
            let soon = Promise<Bool>("the 10 ms timer")
            loop.scheduleTask(in: .milliseconds(10)) { soon.fulfill(never.load(ordering: .relaxed)) }
            let firedFirst = try await soon.value()
            #expect(!firedFirst)
            forever.cancel()
        }
        #expect(EventLoop.nanoseconds(.seconds(Int64.max)) == UInt64(Int64.max))
        #expect(EventLoop.nanoseconds(.seconds(9_000_000_000)) == UInt64(Int64.max))
        #expect(EventLoop.nanoseconds(.milliseconds(1500)) == 1_500_000_000)
        #expect(EventLoop.deadline(after: .max, from: 5) == .max)
        #expect(EventLoop.deadline(after: 7, from: 5) == 12)
    }

    @Test func cancelledTimersNeverRun() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let ran = Locked<[String]>([])
            let fromOtherThread = loop.scheduleTask(in: .milliseconds(10)) { ran.withLock { $0.append("other") } }
            fromOtherThread.cancel()
            loop.execute {
                let onLoop = loop.scheduleTask(in: .milliseconds(5)) { ran.withLock { $0.append("loop") } }
                onLoop.cancel()
                onLoop.cancel()
            }
            let marker = Promise<Void>("marker")
            loop.scheduleTask(in: .milliseconds(40)) { marker.fulfill(()) }
            try await marker.value()
            #expect(ran.withLock { $0 }.isEmpty)
            #expect(fromOtherThread.isDone)
        }
    }

    @Test func cancelAfterRunningIsHarmless() async throws {
        try await withLoops { loops in
            let fired = Promise<Void>("timer")
            let scheduled = loops[0].scheduleTask(in: .zero) { fired.fulfill(()) }
            try await fired.value()
            scheduled.cancel()
            #expect(scheduled.isDone)
        }
    }

    @Test func manyTimersScheduledAndCancelledFromManyThreads() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let count = Locked(0)
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                for index in 0..<500 {
                    // Far enough out that the cancel always comes first.
                    let task = loop.scheduleTask(in: .milliseconds(50 + index % 7)) { count.withLock { $0 += 1 } }
                    if index % 2 == 0 { task.cancel() }
                }
            }
            let marker = Promise<Void>("marker")
            loop.scheduleTask(in: .milliseconds(150)) { marker.fulfill(()) }
            try await marker.value()
            #expect(count.withLock { $0 } == 1000)
        }
    }

    @Test func shutdownIsIdempotentAndRefusesLaterTasks() async throws {
        let loop = EventLoop(name: "short-lived")
        let ran = Promise<Void>("task before shutdown")
        loop.execute { ran.fulfill(()) }
        loop.shutdownGracefully()
        loop.syncShutdown()
        loop.syncShutdown()
        #expect(ran.current != nil)
        #expect(!loop.isRunning)
        #expect(!loop.tryExecute {})
    }

    /// `tryExecute` returning true promises the task runs, also when it was accepted while the
    /// loop was shutting down (a task may be all that resumes a waiter). A chain of tasks that
    /// each submit the next outlasts the rounds the shutdown runs, so its last accepted task is
    /// one the shutdown finds left over.
    final class Chain: Sendable {
        let loop: EventLoop
        let counts = Locked((accepted: 0, ran: 0))
        init(_ loop: EventLoop) { self.loop = loop }
        func submit() {
            if loop.tryExecute({ self.step() }) { counts.withLock { $0.accepted += 1 } }
        }
        func step() {
            counts.withLock { $0.ran += 1 }
            submit()
        }
    }

    @Test func everyAcceptedTaskRunsAcrossShutdown() async throws {
        let chain = Chain(EventLoop(name: "chain"))
        chain.submit()
        let deadline = ContinuousClock.now + .seconds(20)
        while chain.counts.withLock({ $0.ran }) < 100, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        chain.loop.syncShutdown()
        let counts = chain.counts.withLock { $0 }
        #expect(counts.accepted > 16)
        #expect(counts.ran == counts.accepted, "accepted \(counts.accepted), ran \(counts.ran)")
    }

    @Test func syncShutdownFromTheLoopItselfDoesNotDeadlock() async throws {
        let loop = EventLoop()
        let returned = Promise<Void>("syncShutdown on the loop")
        loop.execute {
            loop.syncShutdown()
            returned.fulfill(())
        }
        try await returned.value()
        loop.syncShutdown()
        #expect(!loop.isRunning)
    }

    @Test func groupHasDistinctThreads() async throws {
        try await withLoops(3) { loops in
            #expect(loops.count == 3)
            let distinct = try await onLoop(loops[1]) { !loops[0].inEventLoop && loops[1].inEventLoop }
            #expect(distinct)
        }
    }
}
