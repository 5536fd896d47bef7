#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Testing
import WebSocketAttackSupport

extension Attacks {
    /// RFC 6455 §10.4: limits on frames, messages and fragments, checked before allocating.
    @Suite("Memory: lengths, fragments and bombs")
    struct MemoryAttacks {
        @Test func aFrameClaimingTwoToTheSixtyThirdBytesIsRefusedWithoutAllocating() async throws {
            let figures = try await Probe.run("huge-length")
            // 2^63 - 1 is a valid encoding over every limit: 1009 from the header alone.
            #expect(figures["2^63-1.close_code"] == "1009")
            // 2^63 has the most significant bit set (RFC 6455 §5.2 "MUST be 0"): 1002.
            #expect(figures["2^63.close_code"] == "1002")
            // Nothing near the claimed size is allocated (the figure includes a second
            // connection that checks the server still serves).
            let refused = Swift.max(try figures.int("2^63-1.peak_heap_delta"), try figures.int("2^63.peak_heap_delta"))
            #expect(refused < 256 << 10)
            // Even with limits set to Int.max the claim reserves at most 1 MiB (it used to trap).
            #expect(figures["2^62-unlimited.server_alive"] == "true")
            let unlimited = try figures.int("2^62-unlimited.peak_heap_delta")
            #expect(unlimited < (1 << 20) + (256 << 10))
            print("attack: frame claiming 2^63-1 bytes -> close \(figures["2^63-1.close_code"] ?? "?"), "
                + "2^63 bytes -> close \(figures["2^63.close_code"] ?? "?"); peak heap delta \(mebibytes(refused)); "
                + "2^62 bytes with limits at Int.max -> no trap, peak heap delta \(mebibytes(unlimited))")
        }

        @Test func aMillionOneByteFragmentsStayWithinTheMessageLimit() async throws {
            let figures = try await Probe.run("fragments", "1000000")
            let limit = try figures.int("limit")
            let retained = try figures.int("retained_heap_delta")
            let peak = try figures.int("peak_heap_delta")
            let resident = try figures.int("peak_rss_delta")
            #expect(figures["still_open"] == "true")
            // No object per fragment: a million of them would cost tens of MiB.
            #expect(retained <= limit + (256 << 10), "retained \(retained)")
            // While the message buffer doubles, old and new storage coexist for a moment.
            #expect(peak <= 2 * limit, "peak \(peak)")
            #expect(resident <= 2 * limit, "RSS \(resident)")
            print("attack: 1,000,000 one-byte fragments of a never-finished message (limit \(mebibytes(limit)), "
                + "maxFragmentsPerMessage raised to 1,000,001): retained heap delta \(mebibytes(retained)), "
                + "peak heap delta \(mebibytes(peak)), peak RSS delta \(mebibytes(resident))")
        }

        @Test(.disabled(if: !Self.hasPerMessageDeflate, "needs the PerMessageDeflate plugin in the package"))
        func aDecompressionBombIsClosedWith1009() async throws {
            let figures = try await Probe.run("deflate-bomb")
            let limit = try figures.int("limit")
            let peak = try figures.int("peak_heap_delta")
            let resident = try figures.int("peak_rss_delta")
            #expect(figures["close_code"] == "1009")
            #expect(peak < 2 * limit, "peak heap \(peak)")
            #expect(resident < 2 * limit, "peak RSS \(resident)")
            print("attack: permessage-deflate bomb of \(mebibytes(try figures.int("bomb_inflated_size"))) "
                + "(\(try figures.int("bomb_compressed_size")) bytes compressed, \(try figures.int("compressed_sent")) sent) "
                + "-> close \(figures["close_code"] ?? "?"); limit \(mebibytes(limit)), peak heap delta "
                + "\(mebibytes(peak)), peak RSS delta \(mebibytes(resident))")
        }

        #if canImport(PerMessageDeflate)
        static let hasPerMessageDeflate = true
        #else
        static let hasPerMessageDeflate = false
        #endif
    }
}
#endif
