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

    /// A server granted `count` messages and `bytes` of payload, which then received `sizes`
    /// binary messages (each filled with its index).
    static func received(_ sizes: [Int], count: Int = 100, bytes: Int) throws -> Connection {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(count, bytes: bytes)
        var wire: [UInt8] = []
        for (index, size) in sizes.enumerated() {
            wire += Wire.frame(binaryOpcode, [UInt8](repeating: UInt8(index), count: size), masked: true)
        }
        connection.receive(wire)
        return connection
    }

    @Test func decodingPausesWhenByteCreditRunsOut() throws {
        var connection = try Self.received([40, 40, 40, 40], bytes: 100)
        let first = connection.receivedMessages().map(\.data.count)
        #expect(first == [40, 40, 40], "reported while byte credit was left: 100, 60, 20")
        #expect(connection.isInputPaused)
        #expect(connection.messageByteCredit == -20 && connection.messageCredit == 97)
        connection.grantMessageCredit(1, bytes: 40)
        #expect(connection.receivedMessages().map(\.data.count) == [40], "the fourth, for the 40 given back")
        #expect(connection.messageByteCredit == -20)
    }

    @Test func aMessageLargerThanTheByteLimitGetsThroughAlone() throws {
        var connection = try Self.received([500, 1], bytes: 100)
        #expect(connection.receivedMessages().map(\.data.count) == [500])
        #expect(connection.isInputPaused, "the next waits until the large one is given back")
        connection.grantMessageCredit(1, bytes: 500)
        #expect(connection.receivedMessages().map(\.data.count) == [1])
    }

    @Test func theCountStillLimitsMessagesWithoutBytes() throws {
        var connection = try Self.received([0, 0, 0], count: 2, bytes: 100)
        #expect(connection.receivedMessages().count == 2, "empty messages use no byte credit, one credit each")
        #expect(connection.isInputPaused)
    }

    @Test func limitsAreSetByTheFirstCountAndRemovedByNil() throws {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(0)
        connection.grantMessageCredit(1, bytes: 10)
        #expect(connection.messageCredit == 1 && connection.messageByteCredit == nil,
                "a byte limit is set with the first count only; later grants add to what exists")
        connection.grantMessageCredit(nil)
        #expect(connection.messageCredit == nil && connection.messageByteCredit == nil)
        connection.grantMessageCredit(4, bytes: 10)
        #expect(connection.messageCredit == 4 && connection.messageByteCredit == 10)
    }

    /// Lent messages (``Connection/receiveBorrowing(_:offset:)``) use byte credit as reported ones do.
    @Test func borrowedMessagesUseByteCredit() throws {
        var connection = try Harness.openServer()
        connection.grantMessageCredit(10, bytes: 50)
        var wire: [UInt8] = []
        for _ in 0..<3 { wire += Wire.frame(binaryOpcode, [UInt8](repeating: 7, count: 30), masked: true) }
        var lent: [Int] = []
        wire.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count, let message = connection.receiveBorrowing(buffer, offset: &offset) {
                lent.append(message.bytes.count)
            }
        }
        #expect(lent == [30, 30], "50, then 20 left: the third waits")
        #expect(connection.isInputPaused && connection.messageByteCredit == -10)
    }
}
