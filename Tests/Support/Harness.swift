public import WebSocketCore
public import WebSocketFraming
public import WebSocketHandshake

/// Opens connections with the handshake done and reads what they send, for Core tests.
public enum Harness {
    /// The request key of the test handshakes (RFC 6455 §1.3's example).
    public static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    /// An upgrade request as a client would send it.
    public static func request(extraHeaders: [String] = []) -> [UInt8] {
        let lines = [
            "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket",
            "Connection: Upgrade", "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13",
        ] + extraHeaders
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// A server connection whose opening handshake is complete; output and events are drained.
    public static func openServer(_ configuration: Configuration = Configuration(), extraHeaders: [String] = []) throws -> Connection {
        var connection = Connection.server(configuration: configuration)
        connection.receive(request(extraHeaders: extraHeaders))
        guard case .upgradeRequest = connection.nextEvent() else { throw HarnessError("no upgrade request") }
        try connection.accept()
        _ = connection.takeOutput()
        _ = connection.takeEvents()
        return connection
    }

    /// A client connection whose opening handshake is complete; output and events are drained.
    public static func openClient(
        _ configuration: Configuration = Configuration(), responseHeaders: [String] = [], seed: UInt64 = 1
    ) throws -> Connection {
        var connection = try Connection.client(
            host: "server.example.com", requestTarget: "/chat",
            configuration: configuration, random: SeededRandom(seed: seed))
        let request = String(decoding: connection.takeOutput(), as: UTF8.self)
        connection.receive(response(for: request, extraHeaders: responseHeaders))
        guard case .open = connection.nextEvent() else { throw HarnessError("client did not open") }
        _ = connection.takeEvents()
        return connection
    }

    /// A client and a server Core connected through the real opening handshake, with every
    /// event of the handshake drained.
    /// - Returns: both connections and the extensions the client saw in the server's response.
    public static func openPair(
        client clientConfiguration: Configuration, server serverConfiguration: Configuration, seed: UInt64
    ) throws -> (client: Connection, server: Connection, negotiated: [ExtensionElement]) {
        var client = try Connection.client(host: "h", configuration: clientConfiguration, random: SeededRandom(seed: seed))
        var server = Connection.server(configuration: serverConfiguration)
        server.receive(client.takeOutput())
        guard case .upgradeRequest = server.nextEvent() else { throw HarnessError("no upgrade request") }
        try server.accept()
        client.receive(server.takeOutput())
        guard case .open(let info) = client.nextEvent() else { throw HarnessError("client did not open") }
        _ = server.takeEvents()
        _ = client.takeEvents()
        return (client, server, info.extensions)
    }

    /// The 101 response for a client's request text.
    public static func response(for request: String, extraHeaders: [String] = []) -> [UInt8] {
        let keyLine = request.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
        let key = keyLine.map { String($0.dropFirst("sec-websocket-key:".count)).trimmingSpaces } ?? ""
        let lines = [
            "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Accept: \(WebSocketKey.acceptValue(for: key))",
        ] + extraHeaders
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Decodes every frame in `bytes` as the peer of `role` would.
    public static func frames(in bytes: [UInt8], sentBy role: Role) throws -> [Frame] {
        var decoder = FrameDecoder(role: role == .client ? .server : .client, maxFrameSize: 1 << 30)
        var input = InputBuffer()
        input.append(contentsOf: bytes)
        var frames: [Frame] = []
        while let frame = try decoder.decode(from: &input) { frames.append(frame) }
        return frames
    }
}

extension Connection {
    /// The frames this connection queued since the last call, decoded.
    public mutating func sentFrames() throws -> [Frame] {
        try Harness.frames(in: takeOutput(), sentBy: role)
    }

    /// The close frame this connection sent, as (code, reason); nil if none.
    public mutating func sentClose() throws -> (code: UInt16?, reason: String)? {
        guard let frame = try sentFrames().last(where: { $0.opcode == .close }) else { return nil }
        guard frame.payload.count >= 2 else { return (nil, "") }
        let code = UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
        return (code, String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
    }

    /// The messages among the pending events.
    public mutating func receivedMessages() -> [Message] {
        takeEvents().compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    /// Feeds a frame as the peer would send it (masked when we are the server).
    public mutating func receiveFrame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) {
        receive(Wire.frame(opcode, payload, fin: fin, rsv: rsv, masked: role == .server))
    }
}

/// A failure inside the harness itself.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
