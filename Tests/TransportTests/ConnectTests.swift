import Glibc
import Synchronization
import Testing
import WebSocketTransport

@Suite("Connect: errors and timeouts")
struct ConnectTests {
    /// A port nobody listens on: bind a listener on port 0, note the port, close it.
    private func closedPort(on loop: EventLoop) throws -> Int {
        let listener = try Listener.bind(host: "127.0.0.1", port: 0, on: loop) { $0.close() }
        let port = listener.localAddress.port
        listener.close()
        return port
    }

    @Test func refusedConnectionSaysWhere() async throws {
        try await withLoops { loops in
            let port = try closedPort(on: loops[0])
            do throws(TransportError) {
                _ = try await Channel.connect(host: "127.0.0.1", port: port, timeout: .seconds(30), on: loops[0], handler: Recorder())
                Issue.record("connected to a closed port")
            } catch {
                #expect(error.kind == .connectionRefused)
                #expect(error.description == "connect to 127.0.0.1:\(port) refused")
            }
        }
    }

    @Test func everyAddressIsTriedInOrder() async throws {
        // "localhost" may resolve to ::1 and 127.0.0.1; the server listens on IPv4 only, so a
        // resolver that puts ::1 first exercises the fallback to the next address. The timeout
        // is generous on purpose: the resolver's answer resumes this task on the cooperative
        // pool, and under ThreadSanitizer with every suite running in parallel that wait alone
        // once took over 30 s (`make sanitize-thread`); this test is about order, not time.
        try await withLoops { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let channel = try await Channel.connect(
                host: "localhost", port: server.localAddress.port, timeout: .seconds(180), on: loops[0], handler: Recorder()
            )
            #expect(channel.remoteAddress?.host == "127.0.0.1")
            loops[0].execute { channel.close() }
        }
    }

    @Test func resolutionFailureIsReported() async throws {
        try await withLoops { loops in
            do throws(TransportError) {
                _ = try await Channel.connect(
                    host: "nonexistent..invalid", port: 80, timeout: .seconds(30), on: loops[0], handler: Recorder()
                )
                Issue.record("resolved an invalid name")
            } catch {
                guard case .resolution(let host, _) = error.kind else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(host == "nonexistent..invalid")
            }
        }
    }

    /// A listener with a full backlog that never accepts: Linux drops further SYNs, so the
    /// connect neither succeeds nor fails until our timer fires. Loopback only.
    @Test func connectTimesOutAgainstAFullBacklog() async throws {
        try await withLoops(2) { loops in
            let stalled = loops[1]
            let listener = try Listener.bind(host: "127.0.0.1", port: 0, backlog: 0, on: stalled) { $0.close() }
            let release = Promise<Void>("release")
            let blocked = Promise<Void>("stalled loop")
            stalled.execute {
                blocked.fulfill(())
                // Keep the listener's loop busy so nothing is accepted; bounded by the test.
                while release.current == nil { usleep(1000) }
            }
            try await blocked.value()
            defer {
                release.fulfill(())
                listener.close()
            }
            var outcomes: [TransportError.Kind] = []
            var opened: [Channel] = []
            for _ in 0..<6 where !outcomes.contains(.connectTimeout) {
                let start = ContinuousClock.now
                do throws(TransportError) {
                    opened.append(try await Channel.connect(
                        host: "127.0.0.1", port: listener.localAddress.port, timeout: .milliseconds(300),
                        on: loops[0], handler: Recorder()
                    ))
                } catch {
                    outcomes.append(error.kind)
                    if error.kind == .connectTimeout {
                        #expect(ContinuousClock.now - start >= .milliseconds(300))
                        #expect(error.description == "connect to 127.0.0.1:\(listener.localAddress.port) timed out")
                    }
                }
            }
            #expect(outcomes.contains(.connectTimeout))
            let all = opened
            loops[0].execute { for channel in all { channel.close() } }
        }
    }

    @Test func connectOnAStoppedLoopFails() async throws {
        let loop = EventLoop()
        loop.syncShutdown()
        await #expect(throws: TransportError(.eventLoopShutdown)) {
            _ = try await Channel.connect(host: "127.0.0.1", port: 9, timeout: .seconds(1), on: loop, handler: Recorder())
        }
    }

    @Test func cancellingTheTaskAbandonsTheConnect() async throws {
        try await withLoops(2) { loops in
            let stalled = loops[1]
            let listener = try Listener.bind(host: "127.0.0.1", port: 0, backlog: 0, on: stalled) { $0.close() }
            let release = Promise<Void>("release")
            stalled.execute { while release.current == nil { usleep(1000) } }
            defer {
                release.fulfill(())
                listener.close()
            }
            let port = listener.localAddress.port
            var kinds: [TransportError.Kind] = []
            for _ in 0..<6 where !kinds.contains(.cancelled) {
                let task = Task {
                    try await Channel.connect(host: "127.0.0.1", port: port, timeout: .seconds(30), on: loops[0], handler: Recorder())
                }
                try await Task.sleep(for: .milliseconds(50))
                task.cancel()
                do {
                    let channel = try await task.value
                    loops[0].execute { channel.close() }
                } catch let error as TransportError {
                    kinds.append(error.kind)
                }
            }
            #expect(kinds.contains(.cancelled))
        }
    }

    @Test func alreadyCancelledTaskDoesNotConnect() async throws {
        try await withLoops { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let port = server.localAddress.port
            let gate = Promise<Void>("gate")
            let task = Task {
                try? await gate.value()
                return try await Channel.connect(host: "127.0.0.1", port: port, timeout: .seconds(30), on: loops[0], handler: Recorder())
            }
            task.cancel()
            gate.fulfill(())
            await #expect(throws: TransportError(.cancelled, endpoint: "127.0.0.1:\(port)")) { _ = try await task.value }
        }
    }
}
