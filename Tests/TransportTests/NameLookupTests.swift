import Glibc
import Synchronization
import Testing
@testable import WebSocketTransport

/// A name lookup (`getaddrinfo`, which blocks and cannot be interrupted) must not hold `connect`
/// past its timeout or its task's cancellation: `PendingLookup` ends the wait on whichever comes
/// first. The lookups here block until the test releases them, after the wait has ended, so a
/// wait that followed the lookup would never end (the suite's time limit would fail it).
@Suite("Connect: the name lookup is bounded by the timeout and by cancellation", .timeLimit(.minutes(1)))
struct NameLookupTests {
    /// A lookup that reports when it started, then blocks until `release` and answers `answer`.
    final class SlowLookup: Sendable {
        let started = Promise<Void>("the lookup started")
        let release = Promise<Void>("release")
        let finished = Promise<Void>("the lookup returned")
        let calls = Atomic<Int>(0)
        let answer: PendingLookup.Outcome

        init(answer: PendingLookup.Outcome = .success([SocketAddress(ipAddress: "127.0.0.1", port: 80)!])) {
            self.answer = answer
        }

        func callAsFunction(_ host: String, _ port: Int) -> PendingLookup.Outcome {
            calls.add(1, ordering: .relaxed)
            started.fulfill(())
            while release.current == nil { usleep(1000) }
            defer { finished.fulfill(()) }
            return answer
        }
    }

    @Test func aLookupThatOutlastsTheTimeoutEndsWithConnectTimeout() async throws {
        try await withLoops { loops in
            let lookup = SlowLookup()
            let outcome = await SocketAddress.resolveInBackground(
                host: "slow.example", port: 80, timeout: .milliseconds(100), on: loops[0], lookup: lookup.callAsFunction)
            #expect(throws: TransportError(.connectTimeout, endpoint: "slow.example:80")) { try outcome.get() }
            // The late answer is dropped: no second resumption of the finished wait.
            lookup.release.fulfill(())
            try await lookup.finished.value()
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func cancellingTheTaskEndsAPendingLookup() async throws {
        try await withLoops { loops in
            let lookup = SlowLookup()
            defer { lookup.release.fulfill(()) }
            let task = Task {
                await SocketAddress.resolveInBackground(
                    host: "slow.example", port: 443, timeout: .seconds(600), on: loops[0], lookup: lookup.callAsFunction)
            }
            try await lookup.started.value()
            task.cancel()
            let outcome = await task.value
            #expect(throws: TransportError(.cancelled, endpoint: "slow.example:443")) { try outcome.get() }
        }
    }

    @Test func anAlreadyCancelledTaskDoesNotLookUp() async throws {
        try await withLoops { loops in
            let lookup = SlowLookup()
            defer { lookup.release.fulfill(()) }
            let gate = Promise<Void>("gate")
            let task = Task {
                try? await gate.value()
                return await SocketAddress.resolveInBackground(
                    host: "slow.example", port: 80, timeout: .seconds(600), on: loops[0], lookup: lookup.callAsFunction)
            }
            task.cancel()
            gate.fulfill(())
            let outcome = await task.value
            #expect(throws: TransportError(.cancelled, endpoint: "slow.example:80")) { try outcome.get() }
            #expect(lookup.calls.load(ordering: .relaxed) == 0)
        }
    }

    @Test func anAnswerWithinTheTimeoutIsReturned() async throws {
        try await withLoops { loops in
            let lookup = SlowLookup(answer: .failure(TransportError(.resolution(host: "x.example", message: "no such name"))))
            lookup.release.fulfill(())
            let outcome = await SocketAddress.resolveInBackground(
                host: "x.example", port: 80, timeout: .seconds(600), on: loops[0], lookup: lookup.callAsFunction)
            #expect(throws: TransportError(.resolution(host: "x.example", message: "no such name"))) { try outcome.get() }
            let numeric = await SocketAddress.resolveInBackground(
                host: "::1", port: 80, timeout: .seconds(600), on: loops[0], lookup: lookup.callAsFunction)
            let addresses = try numeric.get()
            #expect(addresses == [SocketAddress(ipAddress: "::1", port: 80)!])
            #expect(lookup.calls.load(ordering: .relaxed) == 1)
        }
    }
}
