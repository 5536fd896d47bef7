import WebSocketTestSupport

/// Seed inputs for the framing targets: RFC 6455 §5.7's examples and Autobahn-like frames.
enum FrameSeeds {
    /// A frame as a client sends it (masked with ``Wire/testKey``) or as a server sends it.
    static func frame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0, masked: Bool) -> [UInt8] {
        Wire.frame(opcode, payload, fin: fin, rsv: rsv, masked: masked)
    }

    static let hello = Array("Hello".utf8)

    /// Wire streams, named, as a server receives them (masked); `unmasked` gives the client's view.
    static func streams(masked: Bool) -> [(String, [UInt8])] {
        [
            ("rfc6455-5.7-single-frame-text", frame(0x1, hello, masked: masked)),
            ("rfc6455-5.7-fragmented-text", frame(0x1, Array("Hel".utf8), fin: false, masked: masked)
                + frame(0x0, Array("lo".utf8), masked: masked)),
            ("rfc6455-5.7-ping-pong", frame(0x9, hello, masked: masked) + frame(0xA, hello, masked: masked)),
            ("rfc6455-5.7-256-byte-binary", frame(0x2, Array(repeating: 0x5A, count: 256), masked: masked)),
            ("rfc6455-5.7-64k-binary-header", Array(frame(0x2, Array(repeating: 0, count: 65_536), masked: masked).prefix(200))),
            ("close-1000-with-reason", frame(0x8, Wire.closePayload(1000, Array("bye".utf8)), masked: masked)),
            ("close-1-byte", frame(0x8, [0x03], masked: masked)),
            ("close-invalid-code-1005", frame(0x8, Wire.closePayload(1005), masked: masked)),
            ("autobahn-6.3-invalid-utf8", frame(0x1, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64], masked: masked)),
            ("autobahn-6.2-split-code-point", frame(0x1, [0xF0, 0x9F], fin: false, masked: masked) + frame(0x0, [0x98, 0x80], masked: masked)),
            ("autobahn-4.1-reserved-opcode", frame(0x3, hello, masked: masked)),
            ("autobahn-3.1-rsv1", frame(0x1, hello, rsv: 0x40, masked: masked)),
            ("autobahn-5.1-fragmented-ping", frame(0x9, hello, fin: false, masked: masked)),
            ("autobahn-5.9-continuation-first", frame(0x0, hello, masked: masked)),
            ("autobahn-2.5-ping-126", frame(0x9, Array(repeating: 0xFE, count: 126), masked: masked)),
            ("length-2^63-1", [0x82, (masked ? 0x80 : 0) | 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + (masked ? Wire.testKey : [])),
            ("length-msb-set", [0x82, (masked ? 0x80 : 0) | 127, 0x80, 0, 0, 0, 0, 0, 0, 0] + (masked ? Wire.testKey : [])),
            ("length-non-minimal", [0x82, (masked ? 0x80 : 0) | 126, 0, 5] + (masked ? Wire.testKey : []) + hello),
            ("many-empty-fragments", frame(0x2, [], fin: false, masked: masked)
                + (0..<20).flatMap { _ in frame(0x0, [], fin: false, masked: masked) } + frame(0x0, [1], masked: masked)),
            ("ping-flood", (0..<40).flatMap { frame(0x9, [UInt8($0)], masked: masked) }),
        ]
    }

    /// Frame decoder seeds: role 0 (server: masked input) and 1 (client), several chunkings.
    static func decoderSeeds() -> [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, stream) in streams(masked: true) {
            seeds.append(("server-" + name, [0, 7, 1, 9] + stream))
        }
        for (name, stream) in streams(masked: false) {
            seeds.append(("client-" + name, [1, 7, 2, 3] + stream))
        }
        seeds.append(("server-one-byte-chunks", [0, 4, 3, 0] + frame(0x1, hello, fin: false, masked: true) + frame(0x0, hello, masked: true)))
        seeds.append(("client-limit-125", [1, 2, 4, 5] + frame(0x2, Array(repeating: 1, count: 126), masked: false)))
        return seeds
    }

    /// UTF-8 and masking seeds: key, phase, chunk plan, data.
    static func utf8Seeds() -> [(name: String, bytes: [UInt8])] {
        let samples: [(String, [UInt8])] = [
            ("ascii", Array("Hello, WebSocket! 0123456789 abcdefghijklmnopqrstuvwxyz".utf8)),
            ("greek-kosme", Array("κόσμε".utf8)),
            ("four-byte", Array("𝄞😀𐍈".utf8)),
            ("surrogate-ed-a0-80", [0x65, 0xED, 0xA0, 0x80, 0x65]),
            ("overlong-c0-af", [0xC0, 0xAF]),
            ("truncated-f0-9f-98", [0xF0, 0x9F, 0x98]),
            ("max-f4-8f-bf-bf", [0xF4, 0x8F, 0xBF, 0xBF]),
            ("above-max-f4-90", [0xF4, 0x90, 0x80, 0x80]),
            ("long-mixed", Array(String(repeating: "aκ😀", count: 20).utf8)),
        ]
        return samples.map { name, data in (name, [0x37, 0xFA, 0x21, 0x3D, 1, 5, 6] + data) }
    }
}
