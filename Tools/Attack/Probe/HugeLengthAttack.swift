#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import WebSocketAttackSupport
import WebSocketCore
import WebSocketDriver
import WebSocketServer

/// Frame headers that claim absurd lengths: refused from the header alone, nothing allocated for
/// the claim.
enum HugeLengthAttack {
    static func run() async throws {
        let server = try ProbeServer.start()
        // 2^63 - 1: a legal encoding, over every limit: 1009 from the header.
        try claim([0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], port: server.port, name: "2^63-1")
        // 2^63: the most significant bit set, which RFC 6455 §5.2 forbids: 1002.
        try claim([0x80, 0, 0, 0, 0, 0, 0, 0], port: server.port, name: "2^63")
        await server.shutdown()

        // A server configured without limits (Int.max): a claim of 2^62 must not make it reserve
        // (or trap on) 4 EiB; the frame simply waits for its bytes.
        let unlimited = try ProbeServer.start {
            $0.connection.connection.maxFrameSize = Int.max
            $0.connection.connection.maxMessageSize = Int.max
        }
        try claim([0x40, 0, 0, 0, 0, 0, 0, 0], port: unlimited.port, name: "2^62-unlimited")
        await unlimited.shutdown()
    }

    static func claim(_ length: [UInt8], port: Int, name: String) throws {
        let attacker = try RawSocket(port: port)
        var reader = ServerFrameReader(try attacker.upgrade().rest)
        try FragmentsAttack.sync(attacker, &reader)
        let heapBefore = Memory.heapInUse()
        let sampler = PeakSampler()
        // Header only (masked binary frame, 64-bit length), plus a first payload byte.
        try attacker.send([0x82, 0xFF] + length + [0x37, 0xFA, 0x21, 0x3D, 0x00])
        let close = try attacker.awaitFrame(0x8, reader: &reader, timeout: .seconds(2))
        // Whatever we send now is payload of the claimed frame, so a second connection checks
        // that the server (one event loop, so the header has been handled) still serves.
        let witness = try RawSocket(port: port)
        var witnessReader = ServerFrameReader(try witness.upgrade().rest)
        let serverAlive = try FragmentsAttack.sync(witness, &witnessReader)
        let peakHeap = sampler.stop() - heapBefore
        report("\(name).close_code", close?.closeCode.map(String.init) ?? "none")
        report("\(name).server_alive", serverAlive)
        report("\(name).peak_heap_delta", peakHeap)
        witness.close()
        attacker.close()
    }
}
#endif
