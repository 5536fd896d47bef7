import Foundation
import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport
@testable import PerMessageDeflate

/// RFC 7692 §7.2.2 on hostile input: limits apply to inflated bytes, as they grow
/// (CVE-2018-1000518), corrupt data and invalid UTF-8 fail with 1007.
@Suite("RFC 7692 §7.2.2 Decompression limits and errors", .serialized)
struct DecompressionLimitTests {
    /// `count` zero bytes compressed as one message: about 1 KiB per MiB.
    static func zeroBomb(_ count: Int) throws -> [UInt8] {
        var stream = try ZlibStream.deflater(level: 9, windowBits: 15, memoryLevel: 9, strategy: .standard)
        var output: [UInt8] = []
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var left = count
        while left > 0 {
            let piece = left >= chunk.count ? chunk : Array(chunk[..<left])
            left -= piece.count
            try stream.deflate(piece, flush: left == 0 ? Z_SYNC_FLUSH_VALUE : 0, appendingTo: &output)
        }
        output.removeLast(4)
        return output
    }

    static let limit = 64 << 10

    @Test("1 MiB of zeros, compressed to about 1 KiB, against a 64 KiB limit fails with 1009")
    func bombFailsWith1009() throws {
        let bomb = try Self.zeroBomb(1 << 20)
        #expect(bomb.count < 2_000)
        var server = try deflateServer(maxMessageSize: Self.limit)
        server.receiveFrame(0x2, bomb, rsv: rsv1)
        try expectFailure(&server, code: 1009)
    }

    @Test("A message that inflates to exactly the limit passes; one byte more fails")
    func exactlyAtLimit() throws {
        var server = try deflateServer(maxMessageSize: Self.limit)
        server.receiveFrame(0x2, try Self.zeroBomb(Self.limit), rsv: rsv1)
        #expect(server.receivedMessages().map(\.data.count) == [Self.limit])
        server.receiveFrame(0x2, try Self.zeroBomb(Self.limit + 1), rsv: rsv1)
        try expectFailure(&server, code: 1009)
    }

    @Test("The limit covers the whole message across fragments")
    func limitAcrossFragments() throws {
        var server = try deflateServer(maxMessageSize: Self.limit)
        let frames = try compressedFrames([[UInt8](repeating: 0, count: 40_000), [UInt8](repeating: 0, count: 40_000)])
        server.receiveFrame(0x2, frames[0], fin: false, rsv: rsv1)
        #expect(server.phase == .open)
        server.receiveFrame(0x0, frames[1])
        try expectFailure(&server, code: 1009)
    }

    @Test("The extension stops at limit + 1 bytes, whatever the ratio")
    func extensionStopsAtTheLimit() throws {
        var receiver = PerMessageDeflateExtension(settings: DeflateSettings())
        let bomb = Frame(opcode: .binary, reservedBits: .rsv1, payload: try Self.zeroBomb(8 << 20))
        let started = ContinuousClock.now
        do {
            _ = try receiver.decode(bomb, context: DecodingContext(maxPayloadSize: 1000))
            Issue.record("decoded past the limit")
        } catch {
            #expect(error.kind == .messageTooBig)
        }
        #expect(ContinuousClock.now - started < .seconds(1), "stops at the limit instead of inflating 8 MiB")
    }

    /// The compressed frame must fit the Core's frame limit (the message limit, 64 KiB), or
    /// the Core refuses it before inflation: 60 MB of zeros compress to about 58 KiB.
    @Test("A 60 MB bomb in one 58 KiB frame fails fast and peak memory stays near the limit")
    func memoryStaysBounded() throws {
        let bomb = try Self.zeroBomb(60_000_000)
        #expect(bomb.count < Self.limit)
        var server = try deflateServer(maxMessageSize: Self.limit)
        let before = ResidentMemory.resetPeak()
        server.receiveFrame(0x2, bomb, rsv: rsv1)
        let peak = ResidentMemory.peak()
        try expectFailure(&server, code: 1009)
        if let before, let peak {
            // Other tests run in parallel in this process; 32 MiB is far below the 60 MB an
            // unbounded inflate would need, and far above 2 × 64 KiB plus noise.
            #expect(peak - before < 32 << 20, "peak RSS grew by \(peak - before) bytes")
        }
    }

    /// The limit is on the decoded message: incompressible data grows by a few bytes when
    /// deflated, and a message of exactly the limit arrives a little over it on the wire.
    @Test("An incompressible message of exactly the limit passes, one byte more fails with 1009")
    func incompressibleMessageAtTheLimit() throws {
        var random = SeededRandom(seed: 11)
        let limit = 100_000
        let payload = (0..<limit).map { _ in UInt8.random(in: 0...255, using: &random) }
        let atLimit = try #require(try compressedFrames([payload]).first)
        #expect(atLimit.count > limit)
        var server = try deflateServer(maxMessageSize: limit)
        server.receiveFrame(0x2, atLimit, rsv: rsv1)
        let received = server.receivedMessages()
        #expect(received.count == 1 && received.first?.data == payload, "\(received.count) messages")
        #expect(server.phase == .open)
        let over = try #require(try compressedFrames([payload + [0x2A]]).first)
        var strict = try deflateServer(maxMessageSize: limit)
        strict.receiveFrame(0x2, over, rsv: rsv1)
        try expectFailure(&strict, code: 1009)
    }

    @Test("Corrupt DEFLATE data fails with 1007", arguments: [
        [UInt8]([0xFF, 0xFF, 0xFF, 0xFF]),              // BTYPE 11 is reserved
        [0x00, 0x05, 0x00, 0x00, 0x00, 0x48],           // stored block whose NLEN is not ~LEN
        [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0xFF, 0xFF, 0xFF],
        // RFC 7692 §7.2.1: the message must end where an empty stored block's LEN would follow;
        // cut short, the appended 00 00 ff ff became data ([48 65 00 00 ff ff] was delivered).
        [0x00, 0x06, 0x00, 0xF9, 0xFF, 0x48, 0x65],     // a stored block of 6 bytes with 2
        [0xF2, 0x48, 0xCD, 0xC9, 0xC9],                 // "Hello" cut inside its fixed-code block
    ])
    func corruptData(_ payload: [UInt8]) throws {
        var server = try deflateServer()
        server.receiveFrame(0x2, payload, rsv: rsv1)
        try expectFailure(&server, code: 1007)
    }

    @Test("A back-reference before the start of the stream fails with 1007")
    func distanceTooFarBack() throws {
        var server = try deflateServer()
        server.receiveFrame(0x1, [0xF2, 0x00, 0x11, 0x00, 0x00], rsv: rsv1)
        try expectFailure(&server, code: 1007)
    }

    @Test("Invalid UTF-8 inside a compressed text message fails with 1007, after inflation")
    func invalidUTF8AfterInflation() throws {
        let payload = try compressedFrames([Array("valid, then ".utf8) + [0xC3, 0x28]])[0]
        var server = try deflateServer()
        server.receiveFrame(0x1, payload, rsv: rsv1)
        try expectFailure(&server, code: 1007)
    }

    @Test("A character split across compressed fragments is valid UTF-8")
    func characterSplitAcrossFragments() throws {
        let euro = Array("€".utf8)
        let frames = try compressedFrames([[euro[0]], [euro[1]], [euro[2]]])
        var server = try deflateServer()
        server.receiveFrame(0x1, frames[0], fin: false, rsv: rsv1)
        server.receiveFrame(0x0, frames[1], fin: false)
        server.receiveFrame(0x0, frames[2])
        #expect(server.receivedMessages() == [.text("€")])
    }
}

/// Z_SYNC_FLUSH without importing CZlib into the tests.
let Z_SYNC_FLUSH_VALUE: Int32 = 2

/// The process's resident memory, from /proc (Linux); nil elsewhere.
enum ResidentMemory {
    /// Resets the peak-RSS counter (writing 5 to /proc/self/clear_refs) and returns the current
    /// resident size.
    static func resetPeak() -> Int? {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return nil }
        defer { try? handle.close() }
        guard (try? handle.write(contentsOf: Data("5".utf8))) != nil else { return nil }
        return field("VmRSS")
    }

    /// The peak resident size since the last reset.
    static func peak() -> Int? { field("VmHWM") }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}
