#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import WebSocketAttackSupport
import WebSocketFuzzHarness
import WebSocketCore
import WebSocketDriver
import WebSocketServer

#if canImport(PerMessageDeflate)
import PerMessageDeflate

/// A permessage-deflate message that inflates to ~1 GiB of zeros (RFC 7692; CVE-2018-1000518 in
/// python-websockets): the server must close with 1009 once the inflated message passes its
/// limit, its memory never holding more than about the limit.
enum DeflateBombAttack {
    static func run() async throws {
        let limit = 1 << 20
        let server = try ProbeServer.start {
            $0.connection.connection.maxMessageSize = limit
            $0.connection.connection.extensions = [PerMessageDeflate()]
        }
        let attacker = try RawSocket(port: server.port)
        let (head, rest) = try attacker.upgrade(extraHeaders: ["Sec-WebSocket-Extensions: permessage-deflate"])
        guard head.lowercased().contains("sec-websocket-extensions: permessage-deflate") else {
            throw AttackError("permessage-deflate was not negotiated: \(head)")
        }
        var reader = ServerFrameReader(rest)
        try FragmentsAttack.sync(attacker, &reader)

        let heapBefore = Memory.heapInUse()
        let residentBefore = Memory.residentSize()
        Memory.resetPeak()
        let sampler = PeakSampler()
        let inflated = 1 << 30
        let total = DeflateBomb.compressedSize(inflating: inflated)
        var bomb = DeflateBomb()
        var sent = 0
        var close: ServerFrameReader.Frame?
        while sent < total, close == nil {
            let chunk = bomb.next(Swift.min(65_536, total - sent))
            do {
                try attacker.send(AttackWire.frame(sent == 0 ? 0x2 : 0x0, chunk, fin: sent + chunk.count >= total,
                                                   rsv: sent == 0 ? 0x40 : 0))
            } catch {
                break  // the server closed
            }
            sent += chunk.count
            close = try attacker.awaitFrame(0x8, reader: &reader, timeout: .milliseconds(50))
        }
        if close == nil { close = try attacker.awaitFrame(0x8, reader: &reader, timeout: .seconds(5)) }
        let peakHeap = sampler.stop() - heapBefore
        let peakResident = Memory.peakResidentSize() - residentBefore
        report("bomb_inflated_size", inflated)
        report("bomb_compressed_size", total)
        report("compressed_sent", sent)
        report("limit", limit)
        report("close_code", close?.closeCode.map(String.init) ?? "none")
        report("peak_heap_delta", peakHeap)
        report("peak_rss_delta", peakResident)
        attacker.close()
        await server.shutdown()
    }
}
#else
enum DeflateBombAttack {
    static func run() async throws {
        report("skipped", "the PerMessageDeflate plugin is not part of this package")
    }
}
#endif
#endif
