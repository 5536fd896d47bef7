import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport
@testable import PerMessageDeflate

/// A Core configuration with permessage-deflate.
func deflateConfiguration(_ deflate: PerMessageDeflate = PerMessageDeflate(), maxMessageSize: Int? = nil) -> Configuration {
    var configuration = Configuration()
    configuration.extensions = [deflate]
    if let maxMessageSize {
        configuration.maxMessageSize = maxMessageSize
        configuration.maxFrameSize = max(configuration.maxFrameSize, maxMessageSize)
    }
    return configuration
}

/// A client and a server Core connected through the real opening handshake.
struct Pair {
    var client: Connection
    var server: Connection
    /// The extensions the client saw in the server's response.
    var negotiated: [ExtensionElement] = []

    init(client clientConfiguration: Configuration, server serverConfiguration: Configuration) throws {
        (client, server, negotiated) = try Harness.openPair(
            client: clientConfiguration, server: serverConfiguration, seed: 7)
    }

    init(client: PerMessageDeflate = PerMessageDeflate(), server: PerMessageDeflate = PerMessageDeflate()) throws {
        try self.init(client: deflateConfiguration(client), server: deflateConfiguration(server))
    }

    /// Hands the client's output to the server; returns the frames that were on the wire and
    /// the messages the server reported.
    mutating func clientToServer() throws -> (frames: [Frame], messages: [Message]) {
        let bytes = client.takeOutput()
        let frames = try Harness.frames(in: bytes, sentBy: .client)
        server.receive(bytes)
        return (frames, server.receivedMessages())
    }

    /// Hands the server's output to the client.
    mutating func serverToClient() throws -> (frames: [Frame], messages: [Message]) {
        let bytes = server.takeOutput()
        let frames = try Harness.frames(in: bytes, sentBy: .server)
        client.receive(bytes)
        return (frames, client.receivedMessages())
    }
}

/// A client whose server answered `permessage-deflate` with `parameters`.
func deflateClient(_ deflate: PerMessageDeflate = PerMessageDeflate(), response parameters: String = "",
                   maxMessageSize: Int? = nil) throws -> Connection {
    let value = parameters.isEmpty ? "permessage-deflate" : "permessage-deflate; " + parameters
    return try Harness.openClient(
        deflateConfiguration(deflate, maxMessageSize: maxMessageSize),
        responseHeaders: ["Sec-WebSocket-Extensions: " + value])
}

/// A server whose client offered `permessage-deflate` with `parameters`.
func deflateServer(_ deflate: PerMessageDeflate = PerMessageDeflate(), offer parameters: String = "",
                   maxMessageSize: Int? = nil) throws -> Connection {
    let value = parameters.isEmpty ? "permessage-deflate" : "permessage-deflate; " + parameters
    return try Harness.openServer(
        deflateConfiguration(deflate, maxMessageSize: maxMessageSize),
        extraHeaders: ["Sec-WebSocket-Extensions: " + value])
}

/// What a peer with `settings` puts on the wire for one message: the payload of each frame.
func compressedFrames(_ fragments: [[UInt8]], settings: DeflateSettings = DeflateSettings(compressionThreshold: 0)) throws -> [[UInt8]] {
    var peer = PerMessageDeflateExtension(settings: settings)
    var frames: [[UInt8]] = []
    for (index, fragment) in fragments.enumerated() {
        let frame = Frame(opcode: index == 0 ? .text : .continuation, isFinal: index == fragments.count - 1, payload: fragment)
        frames.append(try peer.encode(frame, context: EncodingContext()).payload)
    }
    return frames
}

/// The close info among the pending events.
func closedInfo(_ connection: inout Connection) -> CloseInfo? {
    for event in connection.takeEvents() {
        if case .closed(let info) = event { return info }
    }
    return nil
}

/// Asserts that the connection failed with `code` and sent a close frame with it.
func expectFailure(_ connection: inout Connection, code: UInt16, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let info = closedInfo(&connection)
    #expect(info?.code.rawValue == code, "closure code", sourceLocation: sourceLocation)
    #expect(info?.wasClean == false, sourceLocation: sourceLocation)
    let sent = try connection.sentClose()
    #expect(sent?.code == code, "close frame code", sourceLocation: sourceLocation)
    #expect(connection.phase == .closed, sourceLocation: sourceLocation)
}

/// Deterministic test data: `count` bytes of text-like content that compresses moderately.
func sampleText(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    let words = ["websocket", "deflate", "frame", "message", "window", "context", "takeover", "zlib",
                 "{\"id\":", "\"name\":", "[1,2,3]", "null", "true", "false", " ", "\n", "RFC 7692"]
    var random = SeededRandom(seed: seed)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 16)
    while bytes.count < count {
        bytes += Array(words[Int(random.next() % UInt64(words.count))].utf8)
    }
    return Array(bytes.prefix(count))
}

/// Deterministic incompressible bytes.
func randomBytes(_ count: Int, seed: UInt64 = 2) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

let rsv1: UInt8 = 0x40
