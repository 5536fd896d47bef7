#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Testing
import WebSocketAttackSupport
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport

#if canImport(PerMessageDeflate)
import PerMessageDeflate
#endif

extension Attacks {
    /// A compressed message may hold DEFLATE blocks with BFINAL set (RFC 7692 §7.2.3.4), after
    /// which the decoder starts a new stream on the same window. The shortest such block is 2
    /// bytes (`03 00`: final, fixed codes, end of block) and decodes to nothing, so the size limit
    /// never sees it: a peer can make the decoder restart every 2 bytes. A restart must cost
    /// about what decoding the same number of ordinary compressed bytes costs, not a copy of the
    /// 32 KiB window out and back in (which made a message of such blocks ~250x as expensive).
    @Suite("permessage-deflate: a message of empty final blocks")
    struct DeflateRestarts {
        #if canImport(PerMessageDeflate)
        @Test func aMessageOfEmptyFinalBlocksCostsAboutWhatOrdinaryCompressedDataCosts() throws {
            // A first block that fills the window, then the blocks that each end a stream.
            let restarts = 100_000
            let attack: [UInt8] = [0x00, 0x00, 0x80, 0xFF, 0x7F] + [UInt8](repeating: 0x41, count: 32_768)
                + Array([[UInt8]](repeating: [0x03, 0x00], count: restarts).joined())
            let ordinary = try Self.compressed(count: attack.count)
            var attackTime = Duration.seconds(3600), ordinaryTime = attackTime
            // The best of 5 interleaved rounds, so that load from tests running beside this one
            // hits both alike.
            for _ in 0..<5 {
                attackTime = min(attackTime, try Self.receiveTime(attack))
                ordinaryTime = min(ordinaryTime, try Self.receiveTime(ordinary))
            }
            let ratio = attackTime / ordinaryTime
            // 8-11x in debug and ASan builds, 17x under ThreadSanitizer (its instrumented Swift
            // glue around zlib's uninstrumented C); the window copies made it 88x.
            #expect(ratio <= 45, "\(restarts) restarts took \(attackTime), \(ratio)x \(ordinary.count) ordinary bytes")
            print("attack: a \(attack.count)-byte compressed message of \(restarts) empty final DEFLATE blocks: "
                + "\(attackTime), \(HandshakeAttacks.ratio(ratio))x an ordinary compressed message of "
                + "\(ordinary.count) bytes (\(ordinaryTime); bound 45x)")
        }

        /// One compressed binary message of `payload` received by a fresh server; its time.
        static func receiveTime(_ payload: [UInt8]) throws -> Duration {
            var configuration = Configuration()
            configuration.extensions = [PerMessageDeflate()]
            configuration.maxMessageSize = 64 << 20
            var server = Connection.server(configuration: configuration)
            server.receive(Harness.request(extraHeaders: ["Sec-WebSocket-Extensions: permessage-deflate"]))
            guard case .upgradeRequest = server.nextEvent() else { throw AttackError("no upgrade request") }
            try server.accept()
            _ = server.takeOutput()
            _ = server.takeEvents()
            let frame = Wire.frame(0x2, payload, rsv: 0x40, masked: true)
            let start = ContinuousClock.now
            server.receive(frame)
            let elapsed = ContinuousClock.now - start
            guard server.takeEvents().contains(where: { if case .message = $0 { true } else { false } }) else {
                throw AttackError("the message was not decoded")
            }
            return elapsed
        }

        /// About `count` bytes of compressed text (words from a small vocabulary, ~4:1).
        static func compressed(count: Int) throws -> [UInt8] {
            var random = SeededRandom(seed: 7)
            let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
            var text: [UInt8] = []
            while text.count < count * 5 {
                let word = words[Int(random.next() % UInt64(words.count))]
                text += Array(word.utf8) + [UInt8(0x30 + random.next() % 10), 0x20]
            }
            /// A message of its own: a fresh compressor, no window shared with an earlier one.
            func compress(_ text: [UInt8]) throws -> [UInt8] {
                var compressor = PerMessageDeflateExtension(settings: DeflateSettings(compressionThreshold: 0))
                return try compressor.encode(Frame(opcode: .binary, isFinal: true, payload: text), context: EncodingContext()).payload
            }
            var output = try compress(text)
            while output.count > count, text.count > 1024 {
                text.removeLast(text.count / 8)
                output = try compress(text)
            }
            return output
        }
        #endif
    }
}
#endif
