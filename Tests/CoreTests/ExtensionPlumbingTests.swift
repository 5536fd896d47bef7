import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// RFC 6455 §9: a toy extension that owns RSV2 and opcode 0x3 goes end to end through the Core.
@Suite("RFC 6455 §9 Extensions through the Core")
struct ExtensionPlumbingTests {
    var toyConfiguration: Configuration {
        var configuration = Configuration()
        configuration.extensions = [ToyExtensionFactory()]
        return configuration
    }

    @Test func clientOffersAndServerAcceptsTheToy() throws {
        var client = try Connection.client(host: "h", configuration: toyConfiguration, random: SeededRandom(seed: 3))
        var server = Connection.server(configuration: toyConfiguration)
        let request = client.takeOutput()
        #expect(String(decoding: request, as: UTF8.self).contains("Sec-WebSocket-Extensions: x-toy\r\n"))
        server.receive(request)
        _ = server.nextEvent()
        try server.accept()
        client.receive(server.takeOutput())
        guard case .open(let info) = client.nextEvent() else { Issue.record("client not open"); return }
        #expect(info.extensions == [ExtensionElement(name: "x-toy")])
        _ = server.takeEvents()

        // Data frames: the toy reverses the payload and marks RSV2; the peer undoes it.
        try client.send(text: "abc")
        let wire = client.takeOutput()
        #expect(wire[0] == 0x81 | 0x20, "FIN + RSV2 + text")
        server.receive(wire)
        #expect(server.receivedMessages() == [.text("abc")])

        // The toy's own opcode reaches the application as an extension frame.
        try server.sendExtensionFrame(Frame(opcode: ToyExtension.opcode, payload: [9]))
        client.receive(server.takeOutput())
        guard case .extensionFrame(let frame) = client.nextEvent() else { Issue.record("no extension frame"); return }
        #expect(frame.opcode.rawValue == 0x3 && frame.payload == [9])
    }

    @Test func rsv2OnAControlFrameIsRefusedByTheToy() throws {
        var server = try Harness.openServer(toyConfiguration, extraHeaders: ["Sec-WebSocket-Extensions: x-toy"])
        server.receiveFrame(pingOpcode, [], rsv: 0x20)
        try expectFailure(&server, code: 1002)
    }

    @Test func rsv1IsStillRefusedWhenOnlyRSV2IsOwned() throws {
        var server = try Harness.openServer(toyConfiguration, extraHeaders: ["Sec-WebSocket-Extensions: x-toy"])
        server.receiveFrame(textOpcode, [0x61], rsv: 0x40)
        try expectFailure(&server, code: 1002)
    }

    @Test func opcode4IsStillRefusedWhenOnly3IsOwned() throws {
        var server = try Harness.openServer(toyConfiguration, extraHeaders: ["Sec-WebSocket-Extensions: x-toy"])
        server.receiveFrame(0x4, [])
        try expectFailure(&server, code: 1002)
    }

    @Test func serverWithoutTheToyDoesNotAnswerWithAnEmptyExtensionsHeader() throws {
        var server = Connection.server()
        server.receive(Harness.request(extraHeaders: ["Sec-WebSocket-Extensions: x-toy"]))
        _ = server.nextEvent()
        try server.accept()
        let response = String(decoding: server.takeOutput(), as: UTF8.self).lowercased()
        #expect(!response.contains("sec-websocket-extensions"))
    }

    /// A malformed offer is the client's error (400); the factory's own failure is the
    /// server's (500). Either way the connection fails with the extension error.
    @Test(arguments: [(ExtensionError.Kind.negotiationFailed, "HTTP/1.1 400 Bad Request\r\n"),
                      (.internalError, "HTTP/1.1 500 Internal Server Error\r\n")])
    func aFailingNegotiationIsRefusedWithWhoseFaultItIs(kind: ExtensionError.Kind, status: String) throws {
        var configuration = Configuration()
        configuration.extensions = [FailingFactory(kind: kind)]
        var server = Connection.server(configuration: configuration)
        server.receive(Harness.request(extraHeaders: ["Sec-WebSocket-Extensions: x-failing"]))
        _ = server.nextEvent()
        try server.accept()
        #expect(String(decoding: server.takeOutput(), as: UTF8.self).hasPrefix(status))
        #expect(server.lingersBeforeClosing, "a refusal lingers, as a rejected upgrade does")
        let info = try #require(closedInfo(&server))
        guard case .extensionNegotiation(let error) = info.error?.kind else { Issue.record("\(String(describing: info.error))"); return }
        #expect(error.kind == kind)
    }

    @Test func badServerResponseParametersFailTheClient() throws {
        var client = try Connection.client(host: "h", configuration: toyConfiguration, random: SeededRandom(seed: 3))
        let request = String(decoding: client.takeOutput(), as: UTF8.self)
        client.receive(Harness.response(for: request, extraHeaders: ["Sec-WebSocket-Extensions: x-toy; reject"]))
        let info = try #require(closedInfo(&client))
        guard case .extensionNegotiation = info.error?.kind else { Issue.record("\(String(describing: info.error))"); return }
    }
}

/// A factory whose server-side negotiation fails with `kind`.
private struct FailingFactory: ExtensionFactory {
    let kind: ExtensionError.Kind
    var name: String { "x-failing" }
    func makeClientOffers() -> [ExtensionElement] { [ExtensionElement(name: name)] }
    func acceptServerResponse(_ response: ExtensionElement) throws(ExtensionError) -> any WebSocketExtension {
        throw ExtensionError(kind, "unused")
    }
    func negotiateClientOffers(_ offers: [ExtensionElement]) throws(ExtensionError) -> ExtensionAgreement? {
        throw ExtensionError(kind, "failing on purpose")
    }
}
