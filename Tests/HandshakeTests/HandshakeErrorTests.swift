import Testing
import WebSocketHandshake

@Suite("RFC 6455 §4.2.1 Handshake errors and response statuses")
struct HandshakeErrorTests {
    @Test(arguments: [
        (HandshakeError.Kind.startLineTooLong, 414), (.headerLineTooLong, 431), (.tooManyHeaders, 431),
        (.headTooLarge, 431), (.invalidLineEnding, 400), (.obsoleteLineFolding, 400), (.malformedStartLine, 400),
        (.malformedHeader, 400), (.whitespaceBeforeColon, 400), (.invalidMethod("PUT"), 405),
        (.unsupportedHTTPVersion("HTTP/1.0"), 400), (.invalidRequestTarget, 400), (.duplicateHeader("Host"), 400),
        (.missingHost, 400), (.missingUpgrade, 426), (.missingConnectionUpgrade, 426), (.missingKey, 400),
        (.invalidKey, 400), (.missingWebSocketVersion, 426), (.unsupportedWebSocketVersion("8"), 426),
        (.malformedSubprotocolHeader, 400), (.malformedExtensionHeader, 400),
        (.unexpectedSubprotocol("x"), 500), (.unexpectedExtension("x"), 500), (.invalidExtension("x"), 500),
        (.invalidHeaderName("x"), 500), (.invalidHeaderValue(name: "x"), 500), (.reservedHeader("Host"), 500),
    ])
    func mapsKindsToResponseStatuses(kind: HandshakeError.Kind, status: Int) {
        #expect(HandshakeError(kind).responseStatus == status)
        #expect(!HandshakeError(kind).message.isEmpty)
    }

    @Test func descriptionIsTheMessage() {
        let error = HandshakeError(.missingKey, message: "custom")
        #expect(error.description == "custom")
        #expect(error.kind == .missingKey)
        #expect(HandshakeError(.missingKey).description.contains("Sec-WebSocket-Key"))
    }

    /// Peer text in messages is printable ASCII and short, so a server may echo it in a body.
    @Test func messagesNeverCarryRawPeerBytes() {
        let error = HandshakeError(.invalidMethod("P\r\nX-Injected: 1\u{0}é" + String(repeating: "A", count: 200)))
        let message = Array(error.message.utf8)
        #expect(message.allSatisfy { $0 >= 0x20 && $0 != 0x7F })
        #expect(!error.message.contains("é"))
        #expect(message.count < 200)
        #expect(error.message.contains("P??X-Injected: 1???AAA"))
    }
}
