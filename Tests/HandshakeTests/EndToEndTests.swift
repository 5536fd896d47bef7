import Testing
import WebSocketHandshake

@Suite("RFC 6455 §4 Opening handshake, client and server together")
struct EndToEndTests {
    /// The client's request goes to the server byte by byte; the server's 101 and the first
    /// frame arrive in one read; the frame bytes come back as the parser's remainder.
    @Test func completesAHandshake() throws {
        var generator = SeededGenerator(state: 7)
        let offer = ExtensionElement(name: "permessage-deflate",
            parameters: [ExtensionParameter(name: "client_max_window_bits")])
        let client = try ClientHandshake(host: "::1", port: 8080, isSecure: false, requestTarget: "/ws?token=abc",
            subprotocols: ["graphql-ws", "v1"], extensions: [offer], additionalHeaders: ["Origin": "http://[::1]:8080"],
            key: WebSocketKey.generate(using: &generator))

        var serverParser = HTTPHeadParser()
        var requestHead: HTTPHead?
        for byte in client.encodedRequest() { requestHead = try serverParser.parse(CollectionOfOne(byte)) ?? requestHead }
        let request = try ServerHandshakeRequest(validating: HTTPRequestHead(try #require(requestHead)))
        #expect(request.path == "/ws")
        #expect(request.query == "token=abc")

        let accepted = ExtensionElement(name: "permessage-deflate",
            parameters: [ExtensionParameter(name: "client_max_window_bits", value: "12")])
        let frame: [UInt8] = [0x81, 0x02, 0x68, 0x69]
        let response = try ServerHandshakeResponse.accept(request, subprotocol: "v1", extensions: [accepted]) + frame

        var clientParser = HTTPHeadParser()
        let responseHead = try #require(try clientParser.parse(response))
        let result = try client.validate(HTTPResponseHead(responseHead))
        #expect(result.subprotocol == "v1")
        #expect(result.extensions == [accepted])
        #expect(clientParser.remainder == frame)
    }

    @Test func clientSurfacesAServerRejection() throws {
        let client = try ClientHandshake(host: "a.example", port: nil, isSecure: true, key: sampleKey)
        let rejection = ServerHandshakeResponse.reject(status: 403, body: bytes("go away"))
        var parser = HTTPHeadParser()
        let head = try #require(try parser.parse(rejection))
        let error = expectError(.unexpectedStatus(403)) { try client.validate(HTTPResponseHead(head)) }
        #expect(error?.message.contains("403") == true)
        #expect(parser.remainder == bytes("go away"))
    }

    @Test func serverRejectsAPlainHTTPRequestWith426() throws {
        var parser = HTTPHeadParser()
        let head = try #require(try parser.parse(head(["GET / HTTP/1.1", "Host: a.example"])))
        let error = expectError(.missingUpgrade) { try ServerHandshakeRequest(validating: HTTPRequestHead(head)) }
        let response = ServerHandshakeResponse.reject(try #require(error))
        #expect(String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"))
    }
}
