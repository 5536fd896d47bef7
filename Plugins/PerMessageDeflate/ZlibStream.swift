import CZlib

/// One raw DEFLATE stream (RFC 1951, no zlib or gzip wrapper, as RFC 7692 §7.2 requires), either
/// compressing or decompressing.
///
/// This is the only file of the module with unsafe code (DESIGN.md §9). The `z_stream` lives on
/// the heap because zlib keeps a pointer back to it (zlib ≥ 1.2.9 checks `strm->state->strm ==
/// strm` on every call), so it must never move; the owner is `~Copyable` so that exactly one
/// value ends it (`deflateEnd`/`inflateEnd`) in `deinit`. Pointers into Swift arrays are set on the
/// stream only inside the closure that borrows them and are cleared before it returns.
///
/// The safe twin that DESIGN.md asks for is zlib's own behaviour pinned by byte vectors: the RFC
/// 7692 §7.2.3 examples and outputs of CPython's `zlib` module are checked in both directions by
/// `PerMessageDeflateTests`.
struct ZlibStream: ~Copyable {
    /// Whether the stream compresses or decompresses.
    enum Direction {
        case deflate
        case inflate
    }

    /// How a compressing stream looks for matches (zlib's `strategy`).
    enum Strategy {
        /// Ordinary LZ77 with Huffman coding.
        case standard
        /// Matches of distance one only (`Z_RLE`): no back-reference ever reaches further than
        /// the previous byte, so any peer window, even 256 bytes, decodes the output.
        case runLength

        var rawValue: Int32 { self == .standard ? Z_DEFAULT_STRATEGY : Z_RLE }
    }

    /// The outcome of ``inflate(_:appendingTo:maxCount:)``.
    enum InflateOutcome: Equatable {
        /// All input was consumed and all output it produced was appended.
        case consumed
        /// The output would grow past `maxCount`; inflation stopped there.
        case limitExceeded
    }

    /// The most input handed to zlib in one call; `avail_in` is 32 bits wide.
    private static let maxInputChunk = 1 << 30
    /// The smallest output room given to zlib in one call.
    private static let minimumRoom = 16 << 10
    /// Spare capacity worth using before asking the array to grow.
    private static let minimumSpare = 1 << 10
    /// The most output room given to zlib in one call; `avail_out` is 32 bits wide.
    private static let maximumRoom = 1 << 30

    private let stream: UnsafeMutablePointer<z_stream>
    /// Compressing or decompressing.
    let direction: Direction
    /// Decompression only: whether no input was consumed since the stream started or restarted.
    private(set) var isAtStreamStart = true

    /// Decompression only: whether the last ``inflate(_:appendingTo:maxCount:stoppingAtBlockEnd:)``
    /// with `stoppingAtBlockEnd` stopped right after a block (zlib's `data_type` bit 128, which
    /// `Z_BLOCK` reports), not inside one.
    var isAtBlockBoundary: Bool { stream.pointee.data_type & 128 != 0 }

    private init(stream: UnsafeMutablePointer<z_stream>, direction: Direction) {
        self.stream = stream
        self.direction = direction
    }

    deinit {
        switch direction {
        case .deflate: CZlib.deflateEnd(stream)
        case .inflate: CZlib.inflateEnd(stream)
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    // MARK: Creating

    /// A raw deflate stream.
    /// - Parameters:
    ///   - level: 0 (store) through 9 (best).
    ///   - windowBits: 9 through 15; zlib ≥ 1.2.9 refuses 8 for raw deflate (madler/zlib #171).
    ///   - memoryLevel: 1 through 9.
    ///   - strategy: how to look for matches.
    /// - Throws: ``ZlibError`` when zlib refuses the parameters or cannot allocate.
    static func deflater(level: Int, windowBits: Int, memoryLevel: Int, strategy: Strategy) throws(ZlibError) -> ZlibStream {
        let stream = allocateStream()
        let status = czlib_deflateInit2(
            stream, Int32(level), Z_DEFLATED, -Int32(windowBits), Int32(memoryLevel), strategy.rawValue)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZlibError(status: status, operation: "deflateInit2")
        }
        return ZlibStream(stream: stream, direction: .deflate)
    }

    /// A raw inflate stream.
    /// - Parameter windowBits: 8 through 15: the largest window the peer may use.
    /// - Throws: ``ZlibError`` when zlib refuses the parameters or cannot allocate.
    static func inflater(windowBits: Int) throws(ZlibError) -> ZlibStream {
        let stream = allocateStream()
        let status = czlib_inflateInit2(stream, -Int32(windowBits))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZlibError(status: status, operation: "inflateInit2")
        }
        return ZlibStream(stream: stream, direction: .inflate)
    }

    /// A zeroed `z_stream` (`zalloc`, `zfree`, `opaque` = `Z_NULL`: zlib's allocator).
    private static func allocateStream() -> UnsafeMutablePointer<z_stream> {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        return stream
    }

    /// An independent stream in the same state, window and pending data included.
    /// - Throws: ``ZlibError`` when zlib cannot allocate.
    func copy() throws(ZlibError) -> ZlibStream {
        let copy = Self.allocateStream()
        let status = direction == .deflate ? CZlib.deflateCopy(copy, stream) : CZlib.inflateCopy(copy, stream)
        guard status == Z_OK else {
            copy.deinitialize(count: 1)
            copy.deallocate()
            throw ZlibError(status: status, operation: "copy")
        }
        var result = ZlibStream(stream: copy, direction: direction)
        result.isAtStreamStart = isAtStreamStart
        return result
    }

    /// Forgets the sliding window: the next message starts a fresh stream (no context takeover,
    /// RFC 7692 §7.1.1). Keeps the parameters and the allocated memory.
    mutating func reset() {
        switch direction {
        case .deflate: CZlib.deflateReset(stream)
        case .inflate: CZlib.inflateReset(stream)
        }
        isAtStreamStart = true
    }

    // MARK: Compressing

    /// Compresses all of `input` and appends the output to `output`.
    /// - Parameters:
    ///   - input: the bytes to compress.
    ///   - flush: `Z_SYNC_FLUSH` to end on a byte boundary with everything written (the output then
    ///     ends with `00 00 ff ff`), `Z_NO_FLUSH` to let zlib keep data back.
    ///   - output: the bytes are appended here, written straight into its spare capacity.
    /// - Throws: ``ZlibError`` on a zlib failure (a bug or memory exhaustion, never input data).
    mutating func deflate(_ input: [UInt8], flush: Int32, appendingTo output: inout [UInt8]) throws(ZlibError) {
        let stream = self.stream
        try input.withUnsafeBufferPointer { (source) throws(ZlibError) in
            defer { Self.clearInput(stream) }
            var offset = 0
            repeat {
                let count = min(source.count - offset, Self.maxInputChunk)
                Self.setInput(stream, source, offset: offset, count: count)
                offset += count
                try Self.deflateAvailable(stream, flush: offset == source.count ? flush : Z_NO_FLUSH, into: &output)
            } while offset < source.count
        }
    }

    /// Runs `deflate` until the available input is consumed and, with a flush, all output is out.
    private static func deflateAvailable(
        _ stream: UnsafeMutablePointer<z_stream>, flush: Int32, into output: inout [UInt8]
    ) throws(ZlibError) {
        var room = min(Int(CZlib.deflateBound(stream, UInt(stream.pointee.avail_in))) + 16, maximumRoom)
        repeat {
            let inputBefore = stream.pointee.avail_in
            let countBefore = output.count
            let status = appendOutput(of: stream, room: room, into: &output) { CZlib.deflate($0, flush) }
            // Z_BUF_ERROR only means "nothing to do" (e.g. a second flush without new input).
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw ZlibError(status: status, operation: "deflate", message: stream.pointee.msg)
            }
            guard stream.pointee.avail_in != inputBefore || output.count != countBefore else { return }
            room = min(max(minimumRoom, output.count / 2), maximumRoom)
        } while stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0
    }

    // MARK: Decompressing

    /// Decompresses all of `input` and appends the output to `output`, written straight into
    /// its spare capacity, never letting `output.count` pass `maxCount + 1`: however well the
    /// input compresses, memory stays bounded by the limit (CVE-2018-1000518).
    ///
    /// A block with BFINAL set ends zlib's stream, but RFC 7692 §7.2.3.4 lets a sender end a
    /// message with one and go on: what follows starts a new stream that shares the window.
    ///
    /// - Parameters:
    ///   - input: compressed bytes.
    ///   - output: where to append the decompressed bytes.
    ///   - maxCount: the most bytes `output` may hold.
    ///   - stoppingAtBlockEnd: inflate with `Z_BLOCK`, so that ``isAtBlockBoundary`` tells
    ///     afterwards whether the input ended between blocks.
    /// - Returns: `.limitExceeded` if the output would pass `maxCount`.
    /// - Throws: ``ZlibError`` for corrupt data or a zlib failure.
    mutating func inflate(
        _ input: [UInt8], appendingTo output: inout [UInt8], maxCount: Int, stoppingAtBlockEnd: Bool = false
    ) throws(ZlibError) -> InflateOutcome {
        let flush = stoppingAtBlockEnd ? Z_BLOCK : Z_NO_FLUSH
        let stream = self.stream
        var isAtStreamStart = self.isAtStreamStart
        defer { self.isAtStreamStart = isAtStreamStart }
        return try input.withUnsafeBufferPointer { (source) throws(ZlibError) -> InflateOutcome in
            defer { Self.clearInput(stream) }
            var offset = 0
            while true {
                if stream.pointee.avail_in == 0 && offset < source.count {
                    let count = min(source.count - offset, Self.maxInputChunk)
                    Self.setInput(stream, source, offset: offset, count: count)
                    offset += count
                }
                guard output.count <= maxCount else { return .limitExceeded }
                let inputBefore = stream.pointee.avail_in
                let countBefore = output.count
                let room = Self.inflateRoom(
                    inputCount: source.count, outputCount: output.count, spareCapacity: output.capacity - output.count,
                    maxCount: maxCount)
                let status = Self.inflateStep(stream, room: room, flush: flush, into: &output)
                if stream.pointee.avail_in != inputBefore { isAtStreamStart = false }
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    break
                case Z_STREAM_END:
                    try Self.restartKeepingWindow(stream)
                    isAtStreamStart = true
                default:
                    throw ZlibError(status: status, operation: "inflate", message: stream.pointee.msg)
                }
                guard output.count <= maxCount else { return .limitExceeded }
                guard status == Z_STREAM_END || Self.mayProduceMore(
                    stream, progressed: stream.pointee.avail_in != inputBefore || output.count != countBefore,
                    inputLeft: offset < source.count)
                else { return .consumed }
            }
        }
    }

    /// Whether another `inflate` call could do more: it made progress, and either output room ran
    /// out (more may be pending) or input is left.
    private static func mayProduceMore(_ stream: UnsafeMutablePointer<z_stream>, progressed: Bool, inputLeft: Bool) -> Bool {
        guard progressed else { return false }
        return stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0 || inputLeft
    }

    /// How much output space to offer next: the spare capacity the buffer already has, or else
    /// room growing with the output (so large messages take few calls), and never more than one
    /// byte past the limit (so the limit is detected without writing more than that).
    private static func inflateRoom(inputCount: Int, outputCount: Int, spareCapacity: Int, maxCount: Int) -> Int {
        let wanted = spareCapacity >= minimumSpare
            ? min(spareCapacity, maximumRoom)
            : min(max(minimumRoom, inputCount &* 4, outputCount), maximumRoom)
        let left = maxCount - outputCount
        return left < wanted ? left + 1 : wanted
    }

    /// One call to `inflate` with `room` bytes of output space at the end of `output`.
    private static func inflateStep(
        _ stream: UnsafeMutablePointer<z_stream>, room: Int, flush: Int32, into output: inout [UInt8]
    ) -> Int32 {
        appendOutput(of: stream, room: room, into: &output) { CZlib.inflate($0, flush) }
    }

    /// Lets one zlib call (`body`) write up to `room` bytes straight into the spare capacity at
    /// the end of `output`; the pointer never outlives the call.
    private static func appendOutput(
        of stream: UnsafeMutablePointer<z_stream>, room: Int, into output: inout [UInt8],
        _ body: (UnsafeMutablePointer<z_stream>) -> Int32
    ) -> Int32 {
        var status = Z_OK
        output.append(addingCapacity: room) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                stream.pointee.next_out = base + initialized
                stream.pointee.avail_out = UInt32(buffer.count - initialized)
                status = body(stream)
                initialized = buffer.count - Int(stream.pointee.avail_out)
            }
        }
        stream.pointee.next_out = nil
        return status
    }

    /// After a BFINAL block: starts a new stream whose window is the old one, so that later data
    /// may still refer back to earlier messages (context takeover, RFC 7692 §7.2.3.4).
    ///
    /// `inflateResetKeep` resets the decoder's state and keeps its window as it is, in constant
    /// time: a peer can end a stream every 2 bytes (`03 00`, an empty final block), and copying
    /// the window out and back in (`inflateGetDictionary`, `inflateReset`,
    /// `inflateSetDictionary`: a 32 KiB buffer and two copies of up to 32 KiB per restart) made
    /// such a message cost ~2.5 µs per 2 bytes. zlib exports it since 1.2.6 (2012) and declares
    /// it among its "undocumented functions"; `inflateReset` is built on it.
    private static func restartKeepingWindow(_ stream: UnsafeMutablePointer<z_stream>) throws(ZlibError) {
        let status = CZlib.inflateResetKeep(stream)
        guard status == Z_OK else { throw ZlibError(status: status, operation: "inflateResetKeep") }
    }

    // MARK: Input

    private static func setInput(
        _ stream: UnsafeMutablePointer<z_stream>, _ source: UnsafeBufferPointer<UInt8>, offset: Int, count: Int
    ) {
        // zlib never writes through next_in; its declaration lacks `const` unless ZLIB_CONST.
        stream.pointee.next_in = source.baseAddress.map { UnsafeMutablePointer(mutating: $0 + offset) }
        stream.pointee.avail_in = UInt32(count)
    }

    private static func clearInput(_ stream: UnsafeMutablePointer<z_stream>) {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
    }
}

/// A zlib failure: the status and zlib's message, if any.
struct ZlibError: Error, CustomStringConvertible {
    /// zlib's return code, e.g. `Z_DATA_ERROR` (-3).
    var status: Int32
    /// What was called and what zlib said.
    var description: String

    /// Whether the input data was at fault (as opposed to memory or a misuse).
    var isDataError: Bool { status == Z_DATA_ERROR }
    /// Whether zlib could not allocate.
    var isMemoryError: Bool { status == Z_MEM_ERROR }

    init(status: Int32, operation: String, message: UnsafePointer<CChar>? = nil) {
        self.status = status
        let detail = message.map { String(cString: $0) } ?? "status \(status)"
        self.description = "zlib \(operation) failed: \(detail)"
    }
}
