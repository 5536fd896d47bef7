import Testing
import WebSocketTransport

/// An actor that runs on an event loop, as the WebSocket connection actors do.
actor LoopBound {
    let loop: EventLoop
    private(set) var log: [Int] = []

    init(loop: EventLoop) {
        self.loop = loop
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    func record(_ value: Int) -> Bool {
        log.append(value)
        return loop.inEventLoop
    }
}

@Suite("EventLoop as an actor's SerialExecutor")
struct ExecutorTests {
    @Test func actorRunsOnTheLoopThread() async throws {
        try await withLoops { loops in
            let actor = LoopBound(loop: loops[0])
            #expect(await actor.record(1))
            await withTaskGroup(of: Bool.self) { group in
                for value in 2...200 { group.addTask { await actor.record(value) } }
                for await onLoop in group { #expect(onLoop) }
            }
            #expect(await actor.log.count == 200)
        }
    }

    @Test func assumeIsolatedWorksInLoopTasks() async throws {
        try await withLoops { loops in
            let actor = LoopBound(loop: loops[0])
            let count = try await onLoop(loops[0]) {
                actor.assumeIsolated { isolated in
                    _ = isolated.record(7)
                    return isolated.log.count
                }
            }
            #expect(count == 1)
        }
    }

    @Test func actorKeepsWorkingAfterItsLoopStopped() async throws {
        let loop = EventLoop(name: "stopping")
        let actor = LoopBound(loop: loop)
        #expect(await actor.record(1))
        loop.syncShutdown()
        #expect(await actor.record(2) == false)
        #expect(await actor.log == [1, 2])
    }
}
