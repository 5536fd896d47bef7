#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Glibc
import Testing
import WebSocketTestSupport
import WebSocketAttackSupport
import WebSocketDriver
import WebSocketServer

extension Attacks {
    /// Connections over `maxConnections` get a 503 and a lingering close (the server half-closes
    /// and waits up to the close timeout for the client to close first). A client that opens
    /// such connections in a loop and never closes them must not hold a server descriptor each
    /// for the close timeout: past 256 lingering refusals, a refusal closes once its 503 is out.
    @Suite("Refused connections: a flood over the connection limit")
    struct RefusalFlood {
        /// A server at its limit of one connection (held by `holder`, upgraded), whose refusals
        /// linger up to a 60 s close timeout.
        static func fullServer() throws -> (WebSocketServer, RawSocket) {
            var configuration = WebSocketServer.Configuration()
            configuration.maxConnections = 1
            configuration.connection.pingInterval = nil
            configuration.connection.closeTimeout = .seconds(60)
            let server = try WebSocketServer.start(configuration: configuration) { ws in _ = await ws.closed() }
            let holder = try RawSocket(port: server.port)
            _ = try holder.upgrade()
            return (server, holder)
        }

        @Test func refusalsPastTheLingeringBoundCloseAtOnce() async throws {
            let (server, holder) = try Self.fullServer()
            let port = server.port
            let (lingered, closed) = try await onThread { () throws -> (Int, Int) in
                var sockets: [RawSocket] = []
                for _ in 0..<(256 + 40) {
                    // Connects and sends nothing: the server refuses at accept, so nothing of
                    // ours is unread when it closes (which would reset the 503 away).
                    let attacker = try RawSocket(port: port)
                    // The 503, then the server's FIN (a half-close or a close: both end the stream).
                    let answer = try attacker.readUntilClosed(timeout: .seconds(10))
                    guard String(decoding: answer.prefix(12), as: UTF8.self) == "HTTP/1.1 503" else {
                        throw AttackError("expected a 503, got \(answer.prefix(40))")
                    }
                    sockets.append(attacker)
                }
                // A byte to each: a server socket still open (lingering) takes it silently, a
                // closed one answers with a reset, after which a second write fails.
                var lingered = 0, closed = 0
                var byte: UInt8 = 0x41
                for attacker in sockets { _ = Glibc.send(attacker.descriptor, &byte, 1, Int32(MSG_NOSIGNAL)) }
                usleep(200_000)
                for attacker in sockets {
                    let sent = Glibc.send(attacker.descriptor, &byte, 1, Int32(MSG_NOSIGNAL))
                    if sent < 0 && (errno == EPIPE || errno == ECONNRESET) { closed += 1 } else { lingered += 1 }
                    attacker.close()
                }
                return (lingered, closed)
            }
            #expect(lingered <= 256, "\(lingered) refused connections lingered")
            #expect(closed >= 40, "\(closed) refused connections were closed at once")
            print("attack: \(256 + 40) connections over maxConnections = 1 that never close: \(lingered) linger "
                + "(bound 256, close timeout 60 s), \(closed) closed once their 503 was written")
            holder.close()
            await server.shutdown()
        }

        /// The bound counts refusals that linger now: 300 refused clients that close at once do
        /// not use it up, so the next refused client still gets its lingering close. Counted
        /// until each one's close timeout (60 s here) instead, they kept every later refusal
        /// from lingering for that long.
        @Test func refusalsThatEndedFreeTheLingeringBound() async throws {
            let (server, holder) = try Self.fullServer()
            let port = server.port
            let lingered = try await onThread { () throws -> Bool in
                for _ in 0..<300 {
                    let polite = try RawSocket(port: port)
                    _ = try polite.readUntilClosed(timeout: .seconds(10))
                    polite.close()
                }
                // The server sees those closes on its loop: a few tries, half a second apart.
                for _ in 0..<20 {
                    let late = try RawSocket(port: port)
                    defer { late.close() }
                    _ = try late.readUntilClosed(timeout: .seconds(10))
                    var byte: UInt8 = 0x41
                    _ = Glibc.send(late.descriptor, &byte, 1, Int32(MSG_NOSIGNAL))
                    usleep(200_000)
                    let sent = Glibc.send(late.descriptor, &byte, 1, Int32(MSG_NOSIGNAL))
                    if sent == 1 { return true }  // still open on the server's side: lingering
                    usleep(300_000)
                }
                return false
            }
            #expect(lingered, "a refusal after 300 that ended closed at once")
            holder.close()
            await server.shutdown()
        }
    }
}
#endif
