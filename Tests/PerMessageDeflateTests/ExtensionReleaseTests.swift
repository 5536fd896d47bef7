import Testing
@testable import WebSocketCore
import WebSocketExtensions
import WebSocketTestSupport
import PerMessageDeflate

/// A closed connection keeps no extension state: permessage-deflate's compressor and
/// decompressor (~300 KiB with the default windows) are dropped when the connection closes,
/// whether the closing handshake completes or the connection fails, although the application
/// may hold the connection for much longer.
@Suite("permessage-deflate state is released when the connection closes")
struct ExtensionReleaseTests {
    @Test func aCompletedClosingHandshakeReleasesBothSides() throws {
        var pair = try Pair()
        try pair.client.send(text: String(repeating: "compressible ", count: 100))
        #expect(try pair.clientToServer().messages.count == 1)
        try pair.server.send(text: String(repeating: "and back again ", count: 100))
        #expect(try pair.serverToClient().messages.count == 1)
        #expect(!pair.client.extensions.isEmpty && !pair.server.extensions.isEmpty)
        try pair.client.close()
        _ = try pair.clientToServer()
        #expect(!pair.client.extensions.isEmpty, "closing, not closed: the peer may still send data")
        _ = try pair.serverToClient()
        #expect(pair.client.phase == .closed && pair.server.phase == .closed)
        #expect(pair.client.extensions.isEmpty && pair.server.extensions.isEmpty)
    }

    @Test func aFailedConnectionReleasesItsExtensions() throws {
        var server = try deflateServer()
        server.receiveFrame(0x2, [0xFF, 0xFF, 0xFF, 0xFF], rsv: 0x40)  // corrupt DEFLATE: 1007
        #expect(server.phase == .closed)
        #expect(server.extensions.isEmpty)
    }
}
