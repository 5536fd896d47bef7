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

    /// A server with one message of credit that received "one", "two", then `rest`: "one" was
    /// reported, and the rest waits behind the spent credit.
    static func backlogged(_ rest: [UInt8]) throws -> Connection {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(1)
        var bytes = Wire.frame(textOpcode, Array("one".utf8), masked: true)
        bytes += Wire.frame(textOpcode, Array("two".utf8), masked: true)
        connection.receive(bytes + rest)
        #expect(connection.receivedMessages() == [.text("one")])
        return connection
    }

    /// RFC 6455 §7.1.2: after sending a Close frame the endpoint waits for the peer's. A Core
    /// paused on its credit would never read it (the application's `close()` waited for the
    /// close timeout); it reads on instead, dropping the data messages it has no room for.
    @Test func closingReadsOnToThePeersCloseWithoutCredit() throws {
        var connection = try Self.backlogged(Wire.frame(binaryOpcode, [1, 2, 3], masked: true))
        #expect(connection.isInputPaused)
        try connection.close()
        #expect(!connection.isInputPaused, "a closing connection reads on to the peer's Close")
        connection.receive(Wire.frame(binaryOpcode, [4], masked: true) + Wire.frame(closeOpcode, Wire.closePayload(1000), masked: true))
        #expect(connection.receivedMessages().isEmpty, "no room: dropped, not queued")
        let info = try #require(connection.closeInfo)
        #expect(info.code == .normalClosure && info.wasClean)
    }

    /// The peer's Close already buffered behind the backlog is found by `close()` itself.
    @Test func closingFindsABufferedCloseWithoutCredit() throws {
        var connection = try Self.backlogged(Wire.frame(closeOpcode, Wire.closePayload(1001), masked: true))
        #expect(connection.closeInfo == nil)
        try connection.close()
        let info = try #require(connection.closeInfo)
        #expect(info.code == .goingAway && info.wasClean)
    }

    /// Credit left after our Close still delivers messages, up to the credit.
    @Test func closingDeliversWhatTheCreditAllows() throws {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(2)
        try connection.close()
        var bytes: [UInt8] = []
        for byte: UInt8 in 1...4 { bytes += Wire.frame(binaryOpcode, [byte], masked: true) }
        connection.receive(bytes + Wire.frame(closeOpcode, Wire.closePayload(1000), masked: true))
        #expect(connection.receivedMessages() == [.binary([1]), .binary([2])])
        #expect(connection.closeInfo?.wasClean == true)
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
