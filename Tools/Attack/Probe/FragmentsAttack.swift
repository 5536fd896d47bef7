#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import WebSocketAttackSupport
import WebSocketCore
import WebSocketDriver
import WebSocketServer

/// One million 1-byte fragments of a message that never ends: the server must hold the message
/// (at most its limit) and nothing per fragment.
enum FragmentsAttack {
    static func run(count: Int) async throws {
        let limit = 1 << 20
        let server = try ProbeServer.start {
            $0.connection.connection.maxMessageSize = limit
            $0.connection.connection.maxFragmentsPerMessage = count + 1
        }
        let attacker = try RawSocket(port: server.port)
        var reader = ServerFrameReader(try attacker.upgrade().rest)
        try sync(attacker, &reader)  // warm-up: the connection and its buffers exist

        let heapBefore = Memory.heapInUse()
        let residentBefore = Memory.residentSize()
        Memory.resetPeak()
        let sampler = PeakSampler()
        var batch: [UInt8] = []
        batch.reserveCapacity(70_000)
        for index in 0..<count {
            AttackWire.appendFrame(index == 0 ? 0x2 : 0x0, [UInt8(truncatingIfNeeded: index)], fin: false, to: &batch)
            if batch.count >= 65_536 {
                try attacker.send(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try attacker.send(batch)
        let stillOpen = try sync(attacker, &reader)  // every fragment before the ping is processed
        let peakHeap = sampler.stop() - heapBefore
        let peakResident = Memory.peakResidentSize() - residentBefore
        let retainedHeap = Memory.heapInUse() - heapBefore

        report("fragments", count)
        report("limit", limit)
        report("still_open", stillOpen)
        report("retained_heap_delta", retainedHeap)
        report("peak_heap_delta", peakHeap)
        report("peak_rss_delta", peakResident)
        attacker.close()
        await server.shutdown()
    }

    /// Sends a ping and waits for its pong: the server has processed everything sent before.
    @discardableResult
    static func sync(_ attacker: RawSocket, _ reader: inout ServerFrameReader) throws -> Bool {
        try attacker.send(AttackWire.frame(0x9, Array("sync".utf8)))
        return try attacker.awaitFrame(0xA, reader: &reader, timeout: .seconds(60)) != nil
    }
}
#endif
