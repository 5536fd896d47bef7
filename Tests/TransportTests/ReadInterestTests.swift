import Testing
@testable import WebSocketTransport

/// Pausing reads stops the channel's reads at once but reaches the poller only at the end of
/// the loop's turn, so a pause lifted within the turn costs no `epoll_ctl` (`@testable`: the
/// registered interest is internal).
@Suite("Channel: deferred read-interest updates")
struct ReadInterestTests {
    @Test func pauseLiftedWithinTheTurnNeverReachesThePoller() async throws {
        try await withLoops(2) { loops in
            let server = try echoServer(on: loops[0])
            defer { server.close() }
            let channel = try await Channel.connect(
                host: "127.0.0.1", port: server.localAddress.port, timeout: .seconds(10), on: loops[1], handler: Recorder()
            )
            let sameTurn = try await onLoop(loops[1]) { () -> (Bool, Bool) in
                channel.isReadEnabled = false
                let stillRegistered = channel.interest.contains(.read)
                channel.isReadEnabled = true
                return (stillRegistered, channel.interest.contains(.read))
            }
            #expect(sameTurn == (true, true), "within the turn the poller keeps its read interest")

            try await onLoop(loops[1]) { channel.isReadEnabled = false }
            // The next turn starts with the poller updated: no read interest while paused.
            #expect(try await onLoop(loops[1]) { channel.interest.contains(.read) } == false)
            try await onLoop(loops[1]) { channel.isReadEnabled = true }
            #expect(try await onLoop(loops[1]) { channel.interest.contains(.read) } == true)
            loops[1].execute { channel.close() }
        }
    }
}
