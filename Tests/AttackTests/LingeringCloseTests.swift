#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Glibc
import Testing
import WebSocketAttackSupport
import WebSocketDriver
import WebSocketServer
import WebSocketTestSupport

extension Attacks {
    /// A server that fails a connection for a violation in the peer's input (here a frame over
    /// the size limit, 1009) while the peer is still sending must not close the socket with that
    /// input unread: the kernel then answers with a reset, which discards whatever the server's
    /// socket has not sent yet, the Close frame among it, and a peer that reads slowly sees the
    /// connection reset instead of 1009. The server half-closes, reads on, and closes at the
    /// peer's EOF (or at the close timeout).
    @Suite("Failing a connection while the peer still sends: lingering close")
    struct LingeringClose {
        /// A masked binary frame header claiming `length` bytes, then `sent` of them.
        static func oversizedFrame(claiming length: Int, sending sent: Int) -> [UInt8] {
            var bytes: [UInt8] = [0x82, 0x80 | 127]
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: length >> shift)) }
            bytes += [0x37, 0xFA, 0x21, 0x3D]
            bytes += [UInt8](repeating: 0x55, count: sent)
            return bytes
        }

        /// The peer either goes on sending the claimed payload while it reads (an uploading
        /// peer: before, the reset destroyed everything queued), or half-closes at once and
        /// reads (its EOF must not end the linger before the queued output is written).
        @Test(arguments: [false, true])
        func theCloseFrameReachesAPeerThatReadsSlowlyAfterItsViolation(peerHalfCloses: Bool) async throws {
            var configuration = WebSocketServer.Configuration()
            configuration.connection.pingInterval = nil
            configuration.connection.closeTimeout = .seconds(20)
            let queued = 8 << 20  // more than both socket buffers hold: most waits in the server
            let server = try WebSocketServer.start(configuration: configuration) { ws in
                try? await ws.send(binary: [UInt8](repeating: 0x2A, count: queued))
                _ = await ws.closed()
            }
            let attacker = try RawSocket(port: server.port, receiveBufferSize: 4096)
            let (_, rest) = try attacker.upgrade()
            try await Task.sleep(for: .milliseconds(300))
            // Over the 1 MiB limit: the server fails at the header. The attacker goes on
            // sending the claimed payload while it reads, as an uploading peer would.
            try attacker.send(Self.oversizedFrame(claiming: 4 << 20, sending: 16 << 10))
            if peerHalfCloses { _ = Glibc.shutdown(attacker.descriptor, Int32(SHUT_WR)) }
            let sending = Locked(!peerHalfCloses)
            let sender = Task.detached {
                let chunk = [UInt8](repeating: 0x55, count: 4096)
                while sending.withLock({ $0 }) {
                    do { try attacker.send(chunk) } catch { return }
                    try? await Task.sleep(for: .milliseconds(1))
                }
            }
            var reader = ServerFrameReader(rest)
            reader.feed(try attacker.readUntilClosed(timeout: .seconds(20)))
            sending.withLock { $0 = false }
            await sender.value
            var frames: [ServerFrameReader.Frame] = []
            while let frame = reader.next() { frames.append(frame) }
            let data = frames.filter { $0.opcode != 0x8 }.reduce(0) { $0 + $1.payload.count }
            let close = frames.last { $0.opcode == 0x8 }
            #expect(data == queued, "\(data) of \(queued) bytes of data before the close")
            #expect(close?.closeCode == 1009, "the server's Close frame: \(String(describing: close?.closeCode))")
            print("attack: a frame over the limit from a peer that \(peerHalfCloses ? "half-closes and" : "uploads and") reads through a 4 KiB window with "
                + "\(queued >> 20) MiB queued for it: it read \(data) bytes and Close "
                + "\(close?.closeCode.map(String.init) ?? "none")")
            attacker.close()
            let start = ContinuousClock.now
            while server.connectionCount > 0, ContinuousClock.now - start < .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.connectionCount == 0, "the server closed once the peer's EOF came")
            await server.shutdown()
        }
    }
}
#endif
