import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// How one fuzz input drives a `Connection`: its limits, the application's choices, and the
/// stream of peer bytes. Small limits make the limit and close paths run constantly.
struct ConnectionScenario {
    /// What the server application answers to the upgrade request.
    enum Decision: CaseIterable {
        case accept, acceptFirstOffered, reject, acceptWithInjectedHeader, rejectWithInjectedHeader
    }

    var role: Role
    var configuration = Configuration()
    /// Prepend a valid handshake (request or 101 response) so that the stream is frames.
    var prependsHandshake: Bool
    var echoes: Bool
    var endsWithEOF: Bool
    var usesCredit: Bool
    var blocksOutput: Bool
    var closesMidway: Bool
    var timesOut: Bool
    var decision: Decision
    var rejectStatus: Int
    var plan: ChunkPlan
    var stream: [UInt8]

    /// Reads a scenario: 11 parameter bytes, then the stream.
    init(role: Role, extraFactories: [any ExtensionFactory] = [], _ input: inout FuzzInput) {
        self.role = role
        let flags = input.byte()
        prependsHandshake = flags & 0x01 != 0
        echoes = flags & 0x02 != 0
        endsWithEOF = flags & 0x04 != 0
        usesCredit = flags & 0x08 != 0
        blocksOutput = flags & 0x10 != 0
        closesMidway = flags & 0x20 != 0
        timesOut = flags & 0x80 != 0
        configuration.maxFrameSize = input.pick([0, 1, 16, 125, 126, 1000, 65_536, 1 << 20])
        configuration.maxMessageSize = input.pick([0, 1, 16, 125, 200, 1000, 65_536, 1 << 20])
        configuration.maxFragmentsPerMessage = input.pick([1, 2, 3, 4, 16, 16_384])
        configuration.maxQueuedPongs = input.pick([0, 1, 2, 16])
        configuration.headLimits = input.pick([
            HTTPHeadLimits(),
            HTTPHeadLimits(maxLineLength: 64, maxHeaderCount: 8, maxHeadSize: 512),
            HTTPHeadLimits(maxLineLength: 16, maxHeaderCount: 2, maxHeadSize: 64),
        ])
        decision = input.pick(Decision.allCases)
        rejectStatus = input.pick([403, 404, 400, 99, 204, 700])
        configuration.subprotocols = input.pick([[], ["chat"], ["superchat", "chat"]])
        // From bytes already read, so that the corpus keeps its meaning: two thirds of the servers
        // answer plain HTTP requests (4 of the 6 statuses are even).
        configuration.deliversPlainHTTPRequests = role == .server && rejectStatus.isMultiple(of: 2)
        configuration.extensions = flags & 0x40 != 0 ? [ToyExtensionFactory()] + extraFactories : extraFactories
        plan = ChunkPlan(&input)
        stream = input.rest()
    }

    /// Whether the toy extension is configured.
    var offersToyExtension: Bool { configuration.extensions.contains { $0.name == "x-toy" } }

    /// The client's upgrade request that the server scenario prepends.
    static func request(subprotocols: [String], extensions: [String]) -> [UInt8] {
        var lines = [
            "GET /chat?x=1 HTTP/1.1", "Host: server.example.com", "Upgrade: websocket",
            "Connection: keep-alive, Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13", "Origin: http://example.com",
        ]
        if !subprotocols.isEmpty { lines.append("Sec-WebSocket-Protocol: " + subprotocols.joined(separator: ", ")) }
        for element in extensions { lines.append("Sec-WebSocket-Extensions: " + element) }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// The server's 101 response to `key` that the client scenario prepends.
    static func response(key: String, subprotocol: String?, extensions: [String]) -> [UInt8] {
        var lines = [
            "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Accept: " + WebSocketKey.acceptValue(for: key),
        ]
        if let subprotocol { lines.append("Sec-WebSocket-Protocol: " + subprotocol) }
        for element in extensions { lines.append("Sec-WebSocket-Extensions: " + element) }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }
}
