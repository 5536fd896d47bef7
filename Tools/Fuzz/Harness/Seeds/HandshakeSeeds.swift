/// Seed inputs for the handshake targets: RFC 6455 §1.3/§4 examples and edge cases.
enum HandshakeSeeds {
    /// The key of RFC 6455 §1.3, whose accept value is `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    static func lines(_ lines: [String]) -> [UInt8] {
        Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    static let rfcRequest = lines([
        "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://example.com",
        "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13",
    ])

    static let rfcResponse = lines([
        "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Protocol: chat",
    ])

    static func head() -> [(name: String, bytes: [UInt8])] {
        let heads: [(String, [UInt8])] = [
            ("rfc6455-1.3-request", rfcRequest),
            ("rfc6455-1.3-response", rfcResponse),
            ("request-with-extensions", lines([
                "GET /chat?room=1 HTTP/1.1", "Host: [::1]:8080", "Upgrade: WebSocket", "Connection: keep-alive, Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-toy; a=\"b\"",
            ]) + [0x81, 0x05]),
            ("response-with-extensions", lines([
                "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover",
            ])),
            ("response-426", lines(["HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version: 13", "Content-Length: 0"])),
            ("request-missing-key", lines(["GET / HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"])),
            ("request-version-8", lines(["GET / HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade",
                                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 8"])),
            ("request-post", lines(["POST / HTTP/1.1", "Host: x"])),
            ("obs-fold", Array("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n".utf8)),
            ("bare-lf", Array("GET / HTTP/1.1\nHost: x\n\n".utf8)),
            ("leading-empty-lines", Array("\r\n\r\n".utf8) + rfcRequest),
            ("obs-text", Array("GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\u{E9} \u{FF}\r\n\r\n".utf8)),
        ]
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, bytes) in heads {
            seeds.append((name, [0, 1, 9] + bytes))
            seeds.append((name + "-small-limits-bytewise", [1, 2, 0] + bytes))
        }
        return seeds
    }

    static func extensions() -> [(name: String, bytes: [UInt8])] {
        let values = [
            "permessage-deflate",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate",
            "permessage-deflate; server_max_window_bits=\"10\"; client_no_context_takeover",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits=8",
            "permessage-deflate; unknown_parameter=1",
            "x-toy, , x-toy; reject",
            "foo; bar=\"b\\\"az\"",
            "a, b\nc; d=e",
            " , ",
        ]
        return values.enumerated().map { index, value in ("extensions-\(index)", Array(value.utf8)) }
    }
}
