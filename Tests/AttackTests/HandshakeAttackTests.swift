#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Foundation
import Glibc
import Testing
import WebSocketTestSupport
import WebSocketAttackSupport
import WebSocketCore
import WebSocketDriver
import WebSocketFraming
import WebSocketHandshake
import WebSocketServer

extension Attacks {
    /// RFC 7230 §3.2.5 and RFC 6455 §4.2.1: oversized, malformed and unfinished upgrade requests.
    @Suite("Opening handshake: limits, linear parsing, timeouts")
    struct HandshakeAttacks {
        static func server(openTimeout: Duration = .seconds(10)) throws -> WebSocketServer {
            var configuration = WebSocketServer.Configuration()
            configuration.connection.openTimeout = openTimeout
            return try WebSocketServer.start(configuration: configuration) { _ in }
        }

        /// Sends `request` and returns the status line the server answers with.
        static func status(port: Int, _ request: [UInt8]) async throws -> String {
            try await onThread {
                let attacker = try RawSocket(port: port)
                try? attacker.send(request)  // the server may answer and close before reading it all
                let response = String(decoding: try attacker.readUntilClosed(), as: UTF8.self)
                return response.split(separator: "\r\n").first.map(String.init) ?? ""
            }
        }

        static func request(target: String = "/", headers: [String]) -> [UInt8] {
            Array((["GET \(target) HTTP/1.1"] + headers).joined(separator: "\r\n").utf8) + Array("\r\n\r\n".utf8)
        }

        static let valid = ["Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]

        @Test func oversizedOrIncompleteRequestsGetTheirStatus() async throws {
            let server = try Self.server()
            let limits = HTTPHeadLimits()
            let cases: [(String, [UInt8], String)] = [
                ("101 headers", Self.request(headers: Self.valid + (0..<96).map { "X-\($0): 1" }), "HTTP/1.1 431"),
                ("a header line of 8193 bytes", Self.request(headers: Self.valid
                    + ["X-Long: " + String(repeating: "a", count: limits.maxLineLength - 7)]), "HTTP/1.1 431"),
                ("a request line of 8193 bytes", Self.request(target: "/" + String(repeating: "a", count: limits.maxLineLength),
                    headers: Self.valid), "HTTP/1.1 414"),
                ("a 17 KiB head", Self.request(headers: Self.valid + (0..<35).map { "X-\($0): " + String(repeating: "b", count: 500) }),
                    "HTTP/1.1 431"),
                ("no Sec-WebSocket-Key", Self.request(headers: Self.valid.filter { !$0.hasPrefix("Sec-WebSocket-Key") }),
                    "HTTP/1.1 400"),
                ("an invalid Sec-WebSocket-Key", Self.request(headers: Self.valid.map {
                    $0.hasPrefix("Sec-WebSocket-Key") ? "Sec-WebSocket-Key: c2hvcnQ=" : $0 }), "HTTP/1.1 400"),
                ("obsolete line folding", Self.request(headers: Self.valid + ["X-A: 1", " folded"]), "HTTP/1.1 400"),
            ]
            var figures: [String] = []
            for (name, request, expected) in cases {
                let status = try await Self.status(port: server.port, request)
                #expect(status.hasPrefix(expected), "\(name): \(status)")
                figures.append("\(name) -> \(status.dropFirst(9))")
            }
            print("attack: upgrade requests over the limits (line \(limits.maxLineLength) B, \(limits.maxHeaderCount) headers, "
                + "head \(limits.maxHeadSize) B): " + figures.joined(separator: "; "))
            await server.shutdown()
        }

        /// The head parser examines each byte once however the head is split (no rescanning):
        /// 64 KiB fed one byte at a time costs a bounded multiple of one read, and eight times
        /// the bytes cost about eight times the time.
        @Test func sixtyFourKiBOfHeadersOneByteAtATimeParseInLinearTime() async throws {
            // Seconds of CPU under a sanitizer: on a thread of its own, not the cooperative pool.
            let (large, small, whole, bytewise, bytewiseSmall) = try await onThread { try Self.measureLinearParsing() }
            let perCall = bytewise / whole
            let growth = bytewise / bytewiseSmall
            #expect(perCall <= 20, "byte-at-a-time is \(perCall)x one read")
            // 8x the bytes: linear costs about 8x the time, quadratic 64x.
            #expect(growth <= 24, "8x the bytes took \(growth)x the time")
            print("attack: \(large)-byte upgrade request, one byte per read: \(bytewise) vs \(whole) in one read "
                + "(\(Self.ratio(perCall))x, bound 20x); \(small) bytes one at a time: \(bytewiseSmall) "
                + "(8x the bytes -> \(Self.ratio(growth))x the time; linear 8x, quadratic 64x, bound 24x)")
        }

        /// Parse times of a 64 KiB and an 8 KiB head, the best of 7 interleaved rounds.
        static func measureLinearParsing() throws -> (Int, Int, Duration, Duration, Duration) {
            var configuration = Configuration()
            configuration.headLimits = HTTPHeadLimits(maxLineLength: 8192, maxHeaderCount: 10_000, maxHeadSize: 1 << 20)
            func head(size: Int) -> [UInt8] {
                var headers = Self.valid
                var total = Self.request(headers: headers).count
                var index = 0
                while total < size {
                    let line = "X-Padding-\(index): " + String(repeating: "p", count: 40)
                    headers.append(line)
                    total += line.utf8.count + 2
                    index += 1
                }
                return Self.request(headers: headers)
            }
            /// One parse of `bytes` fed in `chunk`-byte reads.
            func parseTime(_ bytes: [UInt8], chunk: Int) throws -> Duration {
                var connection = Connection.server(configuration: configuration)
                let start = ContinuousClock.now
                var offset = 0
                while offset < bytes.count {
                    connection.receive(bytes[offset..<Swift.min(offset + chunk, bytes.count)])
                    offset += chunk
                }
                let elapsed = ContinuousClock.now - start
                guard case .upgradeRequest = connection.nextEvent() else { throw AttackError("not parsed") }
                return elapsed
            }
            // The best of 7 interleaved rounds, so that load from tests running beside this one
            // hits all three measurements alike.
            let large = head(size: 64 << 10), small = head(size: 8 << 10)
            var whole = Duration.seconds(3600), bytewise = whole, bytewiseSmall = whole
            for _ in 0..<7 {
                whole = Swift.min(whole, try parseTime(large, chunk: large.count))
                bytewise = Swift.min(bytewise, try parseTime(large, chunk: 1))
                bytewiseSmall = Swift.min(bytewiseSmall, try parseTime(small, chunk: 1))
            }
            return (large.count, small.count, whole, bytewise, bytewiseSmall)
        }

        static func ratio(_ value: Double) -> String {
            let tenths = Int((value * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)"
        }

        /// RFC 6455 §4.2.1 leaves the time to the server: a client that never finishes its request
        /// (or trickles it, slowloris) is dropped at the open timeout, which activity does not reset.
        @Test func aClientThatNeverFinishesItsHandshakeIsDroppedAtTheTimeout() async throws {
            let timeout = Duration.seconds(2)
            let server = try Self.server(openTimeout: timeout)
            let port = server.port
            let variants: [(String, @Sendable (RawSocket) throws -> Void)] = [
                ("silent", { _ in }),
                ("half a request", { try $0.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n") }),
                ("one byte every 250 ms", { attacker in
                    for byte in "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8 {
                        guard (try? attacker.send([byte])) != nil else { return }
                        usleep(250_000)
                    }
                }),
            ]
            var figures: [String] = []
            for (name, behaviour) in variants {
                let elapsed = try await onThread { () throws -> Duration in
                    let attacker = try RawSocket(port: port)
                    let start = ContinuousClock.now
                    let writer = Thread { try? behaviour(attacker) }
                    writer.start()
                    let response = try attacker.readUntilClosed(timeout: .seconds(10))
                    guard response.isEmpty else { throw AttackError("got \(response.count) bytes") }
                    return ContinuousClock.now - start
                }
                // The trickle would last 11 s if activity reset the timer; the margin above the
                // timeout is wide because sanitizer runs on two cores are slow.
                #expect(elapsed >= timeout - .seconds(1) && elapsed <= timeout + .seconds(5), "\(name): \(elapsed)")
                figures.append("\(name) -> dropped after \(elapsed)")
            }
            print("attack: unfinished handshakes (open timeout \(timeout)): " + figures.joined(separator: "; "))
            await server.shutdown()
        }
    }
}
#endif
