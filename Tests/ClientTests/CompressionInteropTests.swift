import Testing
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake

/// permessage-deflate (RFC 7692) between our client and python-websockets, both directions.
@Suite("RFC 7692 interop with python-websockets", .serialized, .timeLimit(.minutes(1)))
struct CompressionInteropTests {
    @Test func clientOffersDeflateByDefaultAndBothDirectionsCompress() async throws {
        let ws = try await WebSocket.connect(to: try PythonPeer.deflateURL("/compression"))
        let negotiated = try #require(try await ws.receive()?.text)
        // What we offered | what the server answered.
        #expect(negotiated.hasPrefix("permessage-deflate; client_max_window_bits |"), "\(negotiated)")
        #expect(negotiated.contains("| permessage-deflate"), "\(negotiated)")
        #expect(ws.openInfo?.extensions.first?.name == "permessage-deflate")
        let json = String(repeating: #"{"id": 12345, "name": "κόσμε", "tags": ["a", "b", "c"]}, "#, count: 400)
        for _ in 0..<3 {
            try await ws.send(text: json)
            #expect(try await ws.receive() == .text(json))
        }
        let binary = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        try await ws.send(binary: binary)
        #expect(try await ws.receive()?.data == binary)
        try await ws.send(text: "")
        #expect(try await ws.receive() == .text(""))
        try await ws.close()
    }

    @Test func optingOutSendsNoOffer() async throws {
        var configuration = WebSocket.Configuration()
        configuration.compression = nil
        let ws = try await WebSocket.connect(to: try PythonPeer.deflateURL("/compression"), configuration: configuration)
        #expect(try await ws.receive()?.text == " | ")
        #expect(ws.openInfo?.extensions.isEmpty == true)
        try await ws.close()
    }
}
