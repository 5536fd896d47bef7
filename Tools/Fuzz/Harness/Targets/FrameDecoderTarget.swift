import WebSocketFraming

extension FuzzTarget {
    /// `FrameDecoder` (RFC 6455 §5.2) on arbitrary bytes, in random chunks.
    ///
    /// Input: role, frame limit, chunk plan (3 bytes), then the wire bytes. Checks that chunking
    /// changes nothing (same frames, same error, same pending state as one single read), that
    /// every frame obeys §5 (control frames final and at most 125 bytes, data frames within the
    /// limit), that a failed decoder stays failed with the same error, and that every frame
    /// survives an encode/decode round trip.
    public static let frameDecoder = FuzzTarget(name: "frame-decoder", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let role: Role = input.byte() & 1 == 0 ? .server : .client
        let maxFrameSize = input.pick([0, 1, 125, 126, 200, 65_535, 65_536, 1 << 20, Int.max])
        let plan = ChunkPlan(&input)
        let stream = input.rest()

        let whole = DecodeRun(role: role, maxFrameSize: maxFrameSize, chunks: [stream[...]])
        let chunked = DecodeRun(role: role, maxFrameSize: maxFrameSize, chunks: plan.chunks(of: stream))
        if let violation = whole.violation ?? chunked.violation { throw FuzzFailure(violation) }
        try require(whole.frames == chunked.frames, "chunking changed the frames")
        try require(whole.error == chunked.error, "chunking changed the error: \(String(describing: whole.error)) vs \(String(describing: chunked.error))")
        try require(whole.pending == chunked.pending, "chunking changed the pending frame")
        for frame in whole.frames {
            try checkFrame(frame, maxFrameSize: maxFrameSize)
            try checkRoundTrip(frame, sentBy: role == .server ? .client : .server)
        }
    }, seeds: FrameSeeds.decoderSeeds)

    static func checkFrame(_ frame: Frame, maxFrameSize: Int) throws(FuzzFailure) {
        if frame.opcode.isControl {
            try require(frame.isFinal, "a fragmented control frame was accepted")
            try require(frame.payload.count <= 125, "a control frame over 125 bytes was accepted")
        } else {
            try require(frame.payload.count <= Swift.max(0, maxFrameSize), "a frame over the limit was accepted")
        }
    }

    /// Encodes `frame` as `sender` would and decodes it again: the same frame must come back.
    static func checkRoundTrip(_ frame: Frame, sentBy sender: Role) throws(FuzzFailure) {
        var wire: [UInt8] = []
        let key: MaskingKey? = sender == .client ? MaskingKey(0x12, 0x34, 0x56, 0x78) : nil
        FrameEncoder.encode(frame, maskingKey: key, into: &wire)
        var decoder = FrameDecoder(role: sender == .client ? .server : .client, maxFrameSize: Int.max)
        var buffer = InputBuffer(wire)
        let decoded: Frame?
        do {
            decoded = try decoder.decode(from: &buffer)
        } catch {
            throw FuzzFailure("re-encoded frame does not decode: \(error)")
        }
        try require(decoded == frame && buffer.isEmpty, "encode/decode round trip changed the frame")
    }
}

/// One decoding pass over a list of chunks, stopping at the first error.
struct DecodeRun {
    var frames: [Frame] = []
    var error: FramingError?
    var pending: (header: FrameHeader?, payload: [UInt8]) = (nil, [])
    /// Set when the decoder did not stay failed with the same error.
    var violation: String?

    init(role: Role, maxFrameSize: Int, chunks: [ArraySlice<UInt8>]) {
        var decoder = FrameDecoder(role: role, maxFrameSize: maxFrameSize)
        var input = InputBuffer()
        chunkLoop: for chunk in chunks {
            input.append(contentsOf: chunk)
            do {
                while let frame = try decoder.decode(from: &input) { frames.append(frame) }
            } catch {
                self.error = error
                break chunkLoop
            }
        }
        if let error {
            do {
                _ = try decoder.decode(from: &input)
                violation = "the decoder recovered after \(error)"
            } catch let again where again != error {
                violation = "the decoder's error changed from \(error) to \(again)"
            } catch {}
        }
        pending = (decoder.pendingHeader, decoder.pendingPayload)
    }
}
