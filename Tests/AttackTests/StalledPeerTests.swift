#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Glibc
import Testing
import WebSocketAttackSupport
import WebSocketDriver
import WebSocketServer

extension Attacks {
    /// A peer that stops reading while our output is queued, and then ends the connection on its
    /// side (its Close frame), must not hold the socket and the server's connection slot: once
    /// the Core wants the transport closed, the queued output has the close timeout to drain.
    @Suite("A peer that stops reading")
    struct StalledPeer {
        @Test func aPeerThatStopsReadingAndClosesIsDroppedAtTheCloseTimeout() async throws {
            var configuration = WebSocketServer.Configuration()
            configuration.connection.pingInterval = nil
            configuration.connection.closeTimeout = .milliseconds(500)
            let server = try WebSocketServer.start(configuration: configuration) { ws in
                // More than the two socket buffers hold: most of it stays queued.
                try? await ws.send(binary: [UInt8](repeating: 0x2A, count: 8 << 20))
                _ = await ws.closed()
            }
            let attacker = try RawSocket(port: server.port, receiveBufferSize: 4096)
            _ = try attacker.upgrade()
            try await Task.sleep(for: .milliseconds(200))
            try attacker.send(AttackWire.frame(0x8, [0x03, 0xE8]))  // Close 1000; never reads
            let start = ContinuousClock.now
            while server.connectionCount > 0, ContinuousClock.now - start < .seconds(20) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let waited = ContinuousClock.now - start
            #expect(server.connectionCount == 0, "the connection was still open after \(waited)")
            print("attack: a peer that stops reading with 8 MiB queued for it, then sends Close: "
                + "dropped after \(waited) (close timeout 500 ms)")
            attacker.close()
            await server.shutdown()
        }
    }
}
#endif
