import WebSocketTransport

extension FuzzTarget {
    /// The PROXY protocol header parser (`ProxyHeader`, v1 and v2) as `ProxyHeaderReader` uses
    /// it: on the bytes received so far, read again as more arrive.
    ///
    /// Input: chunk plan (2 bytes), then the stream (at most 4 KiB). At every chunk boundary the
    /// prefix is parsed, and what the reader relies on is checked: bytes that parse as
    /// incomplete all belong to the header (the reader consumes them: a header found later is
    /// longer), a header found ends within the bytes parsed (the reader consumes up to its end
    /// from what it peeked), an incomplete start stays under the size limits, a whole header
    /// stays the same header however many bytes follow it, an invalid start stays invalid,
    /// `bytesWanted` asks for at least a byte (and, once a version 2 block is in, for exactly
    /// the rest of its header), and a header is its own bytes exactly (parsing only them gives
    /// it, one byte fewer is incomplete).
    public static let proxyHeader = FuzzTarget(name: "proxy-header", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let plan = ChunkPlan(&input)
        let stream = Array(input.rest().prefix(4096))
        var previous = ProxyHeader.Parsed.incomplete
        var received = 0
        for chunk in plan.chunks(of: stream) {
            let wanted = ProxyHeader.bytesWanted(after: Array(stream[..<received]))
            try require(wanted >= 1, "bytesWanted \(wanted) after \(received) bytes")
            received += chunk.count
            let parsed = ProxyHeader.parse(Array(stream[..<received]))
            switch (previous, parsed) {
            case (.header(let before), _):
                try require(parsed == .header(before), "more bytes changed a whole header: \(parsed)")
            case (.invalid, .invalid), (.incomplete, .invalid):
                break
            case (.incomplete, .incomplete):
                let limit = stream[0] == 0x0D ? 16 + ProxyHeader.maxVersion2Payload : ProxyHeader.maxVersion1Length
                try require(received < limit, "\(received) bytes still incomplete")
            case (.incomplete, .header(let header)):
                let before = received - chunk.count
                try require(before < header.length && header.length <= received,
                            "a header of \(header.length) bytes found in \(received), after \(before) incomplete ones")
                if before >= 16 && stream[0] == 0x0D {
                    try require(header.length == before + wanted, "a v2 header of \(header.length) bytes; bytesWanted \(wanted) after \(before)")
                }
            case (.invalid(let reason), _):
                throw FuzzFailure("an invalid start (\(reason)) became \(parsed)")
            }
            previous = parsed
        }
        guard case .header(let header) = previous else { return }
        try require(header.length >= 1 && header.length <= stream.count, "header length \(header.length)")
        try require(header.length <= max(ProxyHeader.maxVersion1Length, 16 + ProxyHeader.maxVersion2Payload),
                    "a header of \(header.length) bytes")
        try require(ProxyHeader.parse(Array(stream.prefix(header.length))) == previous, "the header's own bytes parse otherwise")
        try require(ProxyHeader.parse(Array(stream.prefix(header.length - 1))) == .incomplete, "a header short of a byte is not incomplete")
    }, seeds: ProxySeeds.header)
}
