import WebSocketTestSupport

/// Seed inputs for the connection targets (see ``ConnectionScenario`` for the 11 parameter bytes).
enum ConnectionSeeds {
    /// Scenario flags.
    static let prepend: UInt8 = 0x01, echo: UInt8 = 0x02, eof: UInt8 = 0x04, credit: UInt8 = 0x08
    static let blocked: UInt8 = 0x10, closeMidway: UInt8 = 0x20, toy: UInt8 = 0x40, timeout: UInt8 = 0x80

    /// The parameter bytes; the defaults are the default limits, accept, one read.
    static func header(
        _ flags: UInt8, frame: UInt8 = 7, message: UInt8 = 7, fragments: UInt8 = 5, pongs: UInt8 = 3,
        head: UInt8 = 0, decision: UInt8 = 0, status: UInt8 = 0, subprotocols: UInt8 = 2,
        chunkSeed: UInt8 = 1, chunkMax: UInt8 = 9
    ) -> [UInt8] {
        [flags, frame, message, fragments, pongs, head, decision, status, subprotocols, chunkSeed, chunkMax]
    }

    static func server() -> [(name: String, bytes: [UInt8])] {
        seeds(masked: true) + [
            ("rfc6455-1.3-request-bytewise", header(echo | eof, chunkMax: 0) + HandshakeSeeds.rfcRequest
                + FrameSeeds.frame(0x1, FrameSeeds.hello, masked: true)),
            ("request-missing-key", header(0) + HandshakeSeeds.lines(["GET / HTTP/1.1", "Host: x", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13"])),
            ("request-too-many-headers", header(0, head: 2) + HandshakeSeeds.rfcRequest),
            ("reject-403", header(prepend, decision: 2)),
            ("accept-injected-header", header(prepend, decision: 3)),
            ("reject-injected-header", header(prepend, decision: 4, status: 3)),
            // Statuses 404 and 400 (status 1, 2) make the server answer plain HTTP requests.
            ("plain-health-check", header(0, status: 1) + HandshakeSeeds.lines(["GET /health?x=1 HTTP/1.1", "Host: x"])),
            ("plain-head-http10-rejected", header(0, decision: 2, status: 2) + HandshakeSeeds.lines(["HEAD / HTTP/1.0"])),
            ("plain-post-with-body", header(eof, status: 1)
                + HandshakeSeeds.lines(["POST / HTTP/1.1", "Host: x", "Content-Length: 3"]) + Array("abc".utf8)),
            ("accept-first-offered-toy", header(prepend | toy | echo, decision: 1)
                + FrameSeeds.frame(0x1, Array("olleh".utf8), rsv: 0x20, masked: true)
                + FrameSeeds.frame(0x3, [1, 2, 3], masked: true)),
        ]
    }

    static func client() -> [(name: String, bytes: [UInt8])] {
        seeds(masked: false) + [
            ("rfc6455-1.3-response", header(eof, subprotocols: 1) + HandshakeSeeds.rfcResponse),
            ("response-403", header(0) + HandshakeSeeds.lines(["HTTP/1.1 403 Forbidden", "Content-Length: 0"])),
            ("toy-extension", header(prepend | toy | echo)
                + FrameSeeds.frame(0x2, [3, 2, 1], rsv: 0x20, masked: false)),
        ]
    }

    /// The framing streams behind a valid handshake, with several scenario flavours each.
    static func seeds(masked: Bool) -> [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, stream) in FrameSeeds.streams(masked: masked) {
            seeds.append((name, header(prepend | echo | eof) + stream))
            seeds.append((name + "-small-limits-chunked", header(prepend | echo | credit, frame: 3, message: 4,
                fragments: 2, pongs: 1, chunkSeed: 9, chunkMax: 2) + stream))
        }
        let flood = (0..<60).flatMap { FrameSeeds.frame(0x9, [UInt8($0)], masked: masked) }
        seeds.append(("ping-flood-blocked-output", header(prepend | blocked, pongs: 2, chunkMax: 5) + flood))
        seeds.append(("close-midway-then-frames", header(prepend | closeMidway | echo, chunkMax: 4)
            + FrameSeeds.frame(0x1, FrameSeeds.hello, masked: masked)
            + FrameSeeds.frame(0x9, [], masked: masked)
            + FrameSeeds.frame(0x8, Wire.closePayload(1001), masked: masked)))
        seeds.append(("credit-three-messages-then-eof", header(prepend | credit | eof | echo, chunkMax: 9)
            + (0..<3).flatMap { FrameSeeds.frame(0x2, [UInt8($0)], masked: masked) }))
        seeds.append(("timeout-while-open", header(prepend | timeout)
            + FrameSeeds.frame(0x1, FrameSeeds.hello, fin: false, masked: masked)))
        return seeds
    }
}
