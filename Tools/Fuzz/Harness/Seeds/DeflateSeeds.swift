import WebSocketTestSupport

/// Seed inputs for the permessage-deflate target: RFC 7692 §7.2.3's examples and a small bomb.
enum DeflateSeeds {
    /// What a client offers (server role), picked by the input.
    static let offers = [
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=9; client_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=11",
    ]

    /// What a server answers (client role), picked by the input.
    static let responses = [
        "permessage-deflate",
        "permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=12; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    ]

    /// RFC 7692 §7.2.3.1: "Hello" in one compressed frame.
    static let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
    /// §7.2.3.2: the second "Hello", referring back into the shared window.
    static let helloAgain: [UInt8] = [0xF2, 0x00, 0x11, 0x00, 0x00]
    /// §7.2.3.3: a DEFLATE block with no compression.
    static let stored: [UInt8] = [0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00]
    /// §7.2.3.4: a block with BFINAL set.
    static let final: [UInt8] = [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00]

    static func seeds() -> [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (roleByte, masked) in [(UInt8(0), true), (UInt8(1), false)] {
            let role = masked ? "server" : "client"
            func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = true) -> [UInt8] {
                Wire.frame(opcode, payload, fin: fin, rsv: rsv1 ? 0x40 : 0, masked: masked)
            }
            let streams: [(String, [UInt8])] = [
                ("rfc7692-7.2.3.1-hello", frame(0x1, hello)),
                ("rfc7692-7.2.3.2-shared-window", frame(0x1, hello) + frame(0x1, helloAgain)),
                ("rfc7692-7.2.3.3-stored-block", frame(0x1, stored)),
                ("rfc7692-7.2.3.4-bfinal", frame(0x1, final)),
                ("rfc7692-fragmented", frame(0x1, Array(hello[0..<3]), fin: false)
                    + frame(0x0, Array(hello[3...]), rsv1: false)),
                ("rfc7692-rsv1-on-continuation", frame(0x1, Array(hello[0..<3]), fin: false) + frame(0x0, Array(hello[3...]))),
                ("rfc7692-rsv1-on-ping", frame(0x9, [1])),
                ("rfc7692-uncompressed-message", frame(0x1, FrameSeeds.hello, rsv1: false)),
                ("rfc7692-empty-compressed", frame(0x2, [0x00])),
                ("rfc7692-garbage", frame(0x2, [0xFF, 0xFF, 0xFF, 0x00, 0x01])),
                ("bomb-64k", { var bomb = DeflateBomb(); return frame(0x2, bomb.next(400)) }()),
            ]
            for (name, stream) in streams {
                seeds.append(("\(role)-\(name)", [roleByte, 0] + ConnectionSeeds.header(ConnectionSeeds.echo | ConnectionSeeds.eof) + stream))
                seeds.append(("\(role)-\(name)-small-chunked", [roleByte, 3] + ConnectionSeeds.header(
                    ConnectionSeeds.echo | ConnectionSeeds.credit, frame: 5, message: 3, chunkSeed: 4, chunkMax: 3) + stream))
            }
        }
        return seeds
    }
}
