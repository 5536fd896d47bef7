import Testing
import WebSocketTestSupport
@testable import WebSocketTransport

/// What ran, in order, from any thread.
private final class Log: Sendable {
    private let entries = Locked<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// Records each run in a shared log; defers itself again `again` times from its own run.
private final class LoggingWork: LoopDeferredWork, @unchecked Sendable {
    let name: String
    let log: Log
    let loop: EventLoop
    var again: Int

    init(_ name: String, log: Log, loop: EventLoop, again: Int = 0) {
        self.name = name
        self.log = log
        self.loop = loop
        self.again = again
    }

    func runDeferredWork() {
        #expect(loop.inEventLoop)
        log.append(name)
        guard again > 0 else { return }
        again -= 1
        loop.deferToEndOfRound(self)
    }
}

@Suite("EventLoop: work deferred to the end of the round")
struct DeferredWorkTests {
    /// The flush of a task-based connection: after the task that asked for it, before the tasks
    /// that task submitted (they belong to the next round), once per call.
    @Test func runsAfterTheCurrentTaskBeforeTheNextRound() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let log = Log()
            let done = Promise<Void>("the next round's task")
            loop.execute {
                let work = LoggingWork("deferred", log: log, loop: loop)
                loop.deferToEndOfRound(work)
                loop.execute {
                    log.append("next round")
                    done.fulfill(())
                }
                log.append("task")
            }
            try await done.value()
            #expect(log.all == ["task", "deferred", "next round"])
        }
    }

    @Test func workDeferredByDeferredWorkRunsInTheSameDrain() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let log = Log()
            let done = Promise<Void>("the next round's task")
            loop.execute {
                loop.deferToEndOfRound(LoggingWork("w", log: log, loop: loop, again: 2))
                loop.execute { done.fulfill(()) }
            }
            try await done.value()
            #expect(log.all == ["w", "w", "w"])
        }
    }

    /// Deferred from a timer (as from an I/O callback): runs before the loop sleeps again, with
    /// no task submitted to wake it.
    @Test func workDeferredFromATimerRunsInThatTurn() async throws {
        try await withLoops { loops in
            let loop = loops[0]
            let log = Log()
            let ran = Promise<Void>("the deferred work")
            final class Signal: LoopDeferredWork, @unchecked Sendable {
                let body: () -> Void
                init(_ body: @escaping () -> Void) { self.body = body }
                func runDeferredWork() { body() }
            }
            loop.scheduleTask(in: .milliseconds(1)) {
                loop.deferToEndOfRound(LoggingWork("a", log: log, loop: loop))
                loop.deferToEndOfRound(LoggingWork("b", log: log, loop: loop))
                loop.deferToEndOfRound(Signal { ran.fulfill(()) })
            }
            try await ran.value(timeout: .seconds(10))
            #expect(log.all == ["a", "b"])
        }
    }
}
