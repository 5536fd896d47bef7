import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// Inbound flow control: the Core decodes no further than the application allows.
@Suite("Message credit (inbound backpressure)")
struct MessageCreditTests {
    @Test func decodingPausesWhenCreditRunsOut() throws {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(1)
        var bytes = Wire.frame(textOpcode, Array("one".utf8), masked: true)
        bytes += Wire.frame(textOpcode, Array("bad".utf8), rsv: 0x20, masked: true)
        connection.receive(bytes)
        #expect(connection.receivedMessages() == [.text("one")])
        #expect(connection.isInputPaused)
        // The violation behind the first message is not seen yet: the echo can go out first.
        try connection.send(text: "one")
        #expect(try connection.sentFrames() == [Frame(opcode: .text, payload: Array("one".utf8))])
        connection.grantMessageCredit(1)
        try expectFailure(&connection, code: 1002)
    }

    @Test func eofWaitsForBufferedFramesWhilePaused() throws {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(1)
        var bytes = Wire.frame(textOpcode, Array("one".utf8), masked: true)
        bytes += Wire.frame(closeOpcode, Wire.closePayload(1000), masked: true)
        connection.receive(bytes)
        connection.receiveEOF()
        #expect(connection.closeInfo == nil, "the close frame is still buffered")
        connection.grantMessageCredit(1)
        let info = try #require(connection.closeInfo)
        #expect(info.code == .normalClosure && info.wasClean)
    }

    @Test func nilCreditMeansNoLimit() throws {
        var connection = try Harness.openServer()
        var bytes: [UInt8] = []
        for _ in 0..<50 { bytes += Wire.frame(binaryOpcode, [1], masked: true) }
        connection.receive(bytes)
        #expect(connection.receivedMessages().count == 50)
        #expect(!connection.isInputPaused)
    }
}
