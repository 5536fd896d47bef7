#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Glibc
import Testing
import WebSocketTestSupport
import WebSocketAttackSupport
import WebSocketCore
import WebSocketDriver
import WebSocketServer

extension Attacks {
    /// RFC 6455 §5.5.2/§5.5.3: every ping gets a pong, but a peer that floods pings and never
    /// reads our pongs must not make us queue them: past the write high-water mark only the pong
    /// for the most recent ping waits.
    @Suite("Control frames: ping floods and stray pongs")
    struct PingFlood {
        static func server(echo: Bool, handoff: Handoff<(channel: Int, connection: Int)>? = nil) throws -> WebSocketServer {
            var configuration = WebSocketServer.Configuration()
            configuration.connection.pingInterval = nil
            return try WebSocketServer.start(configuration: configuration) { ws in
                do {
                    for try await message in ws.messages {
                        if message == .text("sync"), let handoff { handoff.put(await ws.pendingOutput()) }
                        if echo { try await ws.send(message) }
                    }
                } catch {}
            }
        }

        @Test func aPingFloodFromAPeerThatNeverReadsQueuesAtMostOnePong() async throws {
            let handoff = Handoff<(channel: Int, connection: Int)>()
            let server = try Self.server(echo: false, handoff: handoff)
            let port = server.port
            let pings = 100_000
            let attacker = try RawSocket(port: port, receiveBufferSize: 4096)
            _ = try attacker.upgrade()
            // Bursts of 16 pings, paced so that each read of the server holds about one burst:
            // every ping is answered while the output drains, so the pongs pile up unless the
            // driver stops taking them once the socket is full.
            try await onThread {
                var burst: [UInt8] = []
                for index in 0..<pings {
                    let payload = [UInt8(index >> 24 & 0xFF), UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF),
                                   UInt8(index & 0xFF)] + [UInt8](repeating: 0x2A, count: 121)
                    AttackWire.appendFrame(0x9, payload, to: &burst)
                    if index % 16 == 15 {
                        try attacker.send(burst)
                        burst.removeAll(keepingCapacity: true)
                        usleep(50)
                    }
                }
                try attacker.send(burst + AttackWire.frame(0x1, Array("sync".utf8)))
            }
            // The handler saw "sync": every ping before it has been processed.
            let pending = try await handoff.take()
            let highWaterMark = WebSocket.Configuration().writeHighWaterMark
            let owed = pings * 127
            #expect(pending.channel <= highWaterMark + 4096, "socket queue \(pending.channel)")
            #expect(pending.connection <= 127, "Core output \(pending.connection): more than one pong")

            // Once the attacker reads, the most recent ping is answered (RFC 6455 §5.5.3).
            let (last, answered) = try await onThread { () throws -> ([UInt8]?, Int) in
                var reader = ServerFrameReader()
                var lastPong: [UInt8]?
                var pongCount = 0
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    guard let bytes = try attacker.receive(timeout: .milliseconds(500)), !bytes.isEmpty else { break }
                    reader.feed(bytes)
                    while let frame = reader.next() {
                        if frame.opcode == 0xA { lastPong = frame.payload; pongCount += 1 }
                    }
                }
                return (lastPong, pongCount)
            }
            let expected = [UInt8((pings - 1) >> 24 & 0xFF), UInt8((pings - 1) >> 16 & 0xFF),
                            UInt8((pings - 1) >> 8 & 0xFF), UInt8((pings - 1) & 0xFF)]
            #expect(last.map { Array($0.prefix(4)) } == expected, "the last pong answers the most recent ping")
            print("attack: ping flood of \(pings) pings (\(mebibytes(pings * 131))), attacker never reads: "
                + "server holds \(pending.channel) bytes in its socket queue (high-water mark \(highWaterMark)) + "
                + "\(pending.connection) bytes in the Core (at most one pong) instead of \(mebibytes(owed)) of pongs; "
                + "once the attacker reads it gets \(answered) pongs, the last for the most recent ping")
            attacker.close()
            await server.shutdown()
        }

        @Test func unsolicitedAndDuplicatePongsAreHarmless() async throws {
            let server = try Self.server(echo: true)
            let port = server.port
            let start = ContinuousClock.now
            let echoed = try await onThread { () throws -> Bool in
                let attacker = try RawSocket(port: port)
                var reader = ServerFrameReader(try attacker.upgrade().rest)
                var pongs: [UInt8] = []
                for index in 0..<10_000 { AttackWire.appendFrame(0xA, [UInt8(index & 0xFF), UInt8(index >> 8)], to: &pongs) }
                // The form of the server's own pings' payloads (a big-endian number), again and again.
                for _ in 0..<10_000 { AttackWire.appendFrame(0xA, [0, 0, 0, 0, 0, 0, 0, 1], to: &pongs) }
                try attacker.send(pongs + AttackWire.frame(0x1, Array("still here".utf8)))
                let echo = try attacker.awaitFrame(0x1, reader: &reader)
                return echo?.payload == Array("still here".utf8) && server.connectionCount == 1
            }
            #expect(echoed)
            print("attack: 10,000 unsolicited + 10,000 duplicate pongs: connection stays open, the next message "
                + "is echoed (\(ContinuousClock.now - start) round trip)")
            await server.shutdown()
        }
    }
}
#endif
