import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketFraming

/// What the clients counted, merged across clients.
struct SoakTally: Sendable {
    var messages = 0
    var bytes = 0
    var reconnects = 0
    var failures: [String] = []

    mutating func add(_ other: SoakTally) {
        messages += other.messages
        bytes += other.bytes
        reconnects += other.reconnects
        failures += other.failures
    }
}

/// One soak client: echoes messages of random size and kind (some fragmented, some pings in
/// between) every `interval`, reconnecting now and then so that accept and close run too, until
/// `deadline`; then closes normally.
struct SoakClient {
    let id: Int
    let url: String
    let interval: Duration
    let deadline: ContinuousClock.Instant

    func run() async -> SoakTally {
        var tally = SoakTally()
        var random = SystemRandomNumberGenerator()
        var sequence = 0
        while ContinuousClock.now < deadline {
            do {
                let ws = try await WebSocket.connect(to: url)
                // Stay connected 20-60 s, then reconnect (or until the deadline).
                let leave = min(deadline, ContinuousClock.now + .seconds(Int.random(in: 20...60, using: &random)))
                while ContinuousClock.now < leave {
                    sequence += 1
                    try await echo(ws, sequence: sequence, random: &random, tally: &tally)
                    try await Task.sleep(for: interval * Double.random(in: 0.5...1.5, using: &random))
                }
                let info = try await ws.close()
                if info.code != .normalClosure || !info.wasClean {
                    tally.failures.append("client \(id): closing ended with \(info.code) clean=\(info.wasClean)")
                }
                if ContinuousClock.now < deadline { tally.reconnects += 1 }
            } catch {
                tally.failures.append("client \(id): \(error)")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        return tally
    }

    /// Sends one message (1 B to 16 KiB, text or binary, one in ten in three fragments, one in
    /// twenty after a ping) and checks the echo.
    func echo(_ ws: WebSocket, sequence: Int, random: inout SystemRandomNumberGenerator, tally: inout SoakTally) async throws {
        let size = Int.random(in: 1...(Int.random(in: 0..<10, using: &random) == 0 ? 16_384 : 512), using: &random)
        let isText = Bool.random(using: &random)
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ sequence &+ id) % 94 + 33) }
        let message: Message = isText ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload)
        if Int.random(in: 0..<20, using: &random) == 0 { try await ws.ping(Array("soak".utf8)) }
        if size >= 3 && Int.random(in: 0..<10, using: &random) == 0 {
            let opcode: Opcode = isText ? .text : .binary
            let third = size / 3
            try await ws.sendFragment(Array(payload[..<third]), opcode: opcode, isFinal: false)
            try await ws.sendFragment(Array(payload[third..<(2 * third)]), opcode: .continuation, isFinal: false)
            try await ws.sendFragment(Array(payload[(2 * third)...]), opcode: .continuation, isFinal: true)
        } else {
            try await ws.send(message)
        }
        guard let reply = try await ws.receive() else {
            throw SoakFailure("the server closed the connection")
        }
        guard reply == message else { throw SoakFailure("wrong echo for message \(sequence)") }
        tally.messages += 1
        tally.bytes += size
    }
}

struct SoakFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
