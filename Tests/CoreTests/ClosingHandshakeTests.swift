import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport

/// RFC 6455 §5.5.1, §7 and PITFALLS.md "Close-code validation", "Close payload rules",
/// "Close handshake".
@Suite("RFC 6455 §7 Closing the connection")
struct ClosingHandshakeTests {
    @Test("Invalid received close codes fail with 1002",
          arguments: [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as [UInt16])
    func invalidCodesAreRejected(code: UInt16) throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode, Wire.closePayload(code))
        try expectFailure(&connection, code: 1002)
    }

    @Test("Valid received close codes are echoed",
          arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999] as [UInt16])
    func validCodesAreEchoed(code: UInt16) throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode, Wire.closePayload(code, Array("bye".utf8)))
        let info = try #require(closedInfo(&connection))
        #expect(info.code.rawValue == code)
        #expect(info.reason == "bye")
        #expect(info.wasClean)
        #expect(try connection.sentClose()?.code == code)
    }

    @Test func oneByteClosePayloadIsAProtocolError() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode, [0x03])
        try expectFailure(&connection, code: 1002)
    }

    @Test func closeWithoutCodeReports1005AndIsAnsweredWithAnEmptyClose() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode)
        let info = try #require(closedInfo(&connection))
        #expect(info.code == .noStatusReceived)
        #expect(info.wasClean)
        let frames = try connection.sentFrames()
        #expect(frames == [Frame(opcode: .close)])
    }

    @Test("1005, 1006 and 1015 are never sent", arguments: [1005, 1006, 1015, 999, 5000] as [UInt16])
    func reservedCodesCannotBeSent(code: UInt16) throws {
        var connection = try Harness.openServer()
        #expect(throws: ConnectionError.self) { try connection.close(code: CloseCode(rawValue: code)) }
        #expect(connection.phase == .open)
        #expect(try connection.sentFrames().isEmpty)
    }

    @Test func closeReasonOver123BytesIsRefused() throws {
        var connection = try Harness.openServer()
        #expect(throws: ConnectionError.self) { try connection.close(reason: String(repeating: "x", count: 124)) }
        try connection.close(reason: String(repeating: "x", count: 123))
        #expect(try connection.sentClose()?.reason.count == 123)
    }

    @Test func afterSendingCloseWaitForThePeersClose() throws {
        var connection = try Harness.openServer()
        try connection.close(code: .goingAway, reason: "restart")
        #expect(try connection.sentClose()?.code == 1001)
        #expect(connection.phase == .closing)
        #expect(connection.isCloseExpected)
        #expect(!connection.shouldCloseTransport)
        connection.receiveFrame(closeOpcode, Wire.closePayload(1001))
        let info = try #require(closedInfo(&connection))
        #expect(info.wasClean)
        #expect(connection.phase == .closed)
        // The server closes TCP first (RFC 6455 §7.1.1).
        #expect(connection.shouldCloseTransport)
        // No second close frame.
        #expect(try connection.sentFrames().isEmpty)
    }

    @Test func clientWaitsForTheServerToCloseTCP() throws {
        var connection = try Harness.openClient()
        connection.receiveFrame(closeOpcode, Wire.closePayload(1000))
        #expect(try connection.sentClose()?.code == 1000)
        #expect(connection.phase == .closed)
        #expect(!connection.shouldCloseTransport)
        #expect(connection.isCloseExpected)
        connection.receiveEOF()
        #expect(connection.shouldCloseTransport)
        #expect(!connection.isCloseExpected)
    }

    @Test func closeTimeoutEndsTheConnection() throws {
        var connection = try Harness.openServer()
        try connection.close()
        _ = connection.takeOutput()
        connection.closeTimedOut()
        let info = try #require(closedInfo(&connection))
        #expect(!info.wasClean)
        #expect(info.error?.kind == .closeTimeout)
        #expect(connection.shouldCloseTransport)
    }

    /// A violation in the peer's input fails the connection while the peer may still be
    /// sending: the transport closes lingering (half-close, read on to the peer's EOF), so that
    /// no reset destroys the Close frame. Not for a clean close or a keepalive timeout, and not
    /// once the close timer fired (the driver then closes at once).
    @Test func aViolationByThePeerAsksForALingeringClose() throws {
        var violated = try Harness.openServer()
        violated.receiveFrame(0x3)  // a reserved opcode: 1002
        try expectFailure(&violated, code: 1002)
        #expect(violated.shouldCloseTransport && violated.lingersBeforeClosing)
        violated.closeTimedOut()
        #expect(!violated.lingersBeforeClosing)

        var clean = try Harness.openServer()
        clean.receiveFrame(closeOpcode, Wire.closePayload(1000))
        #expect(clean.shouldCloseTransport && !clean.lingersBeforeClosing)

        var keepalive = try Harness.openServer()
        keepalive.fail(ConnectionError(.keepaliveTimeout))
        #expect(keepalive.shouldCloseTransport && !keepalive.lingersBeforeClosing)

        // An extension's own failure (1011) is ours; a peer's input it refuses is the peer's.
        var ours = try Harness.openServer()
        ours.fail(ConnectionError(.extension(ExtensionError(.internalError, "deflate: out of memory"))))
        #expect(ours.shouldCloseTransport && !ours.lingersBeforeClosing)
        var theirs = try Harness.openServer()
        theirs.fail(ConnectionError(.extension(ExtensionError(.invalidPayload, "corrupt DEFLATE data"))))
        #expect(theirs.shouldCloseTransport && theirs.lingersBeforeClosing)
    }

    @Test func eofWithoutCloseIsAbnormal1006() throws {
        var connection = try Harness.openServer()
        connection.receiveEOF()
        let info = try #require(closedInfo(&connection))
        #expect(info.code == .abnormalClosure)
        #expect(!info.wasClean)
        #expect(try connection.sentFrames().isEmpty)
    }

    @Test func dataAfterCloseIsIgnored() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode, Wire.closePayload(1000))
        connection.receiveFrame(textOpcode, Array("late".utf8))
        #expect(connection.receivedMessages().isEmpty)
    }

    @Test func sendingAfterCloseThrows() throws {
        var connection = try Harness.openServer()
        try connection.close()
        #expect(throws: ConnectionError(.notOpen)) { try connection.send(text: "x") }
        #expect(throws: ConnectionError(.notOpen)) { try connection.ping() }
    }

    @Test func closeIsReportedExactlyOnce() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode, Wire.closePayload(1000))
        connection.receiveEOF()
        connection.closeTimedOut()
        let closures = connection.takeEvents().filter { if case .closed = $0 { true } else { false } }
        #expect(closures.count == 1)
    }

    @Test func peerCloseMidFragmentedMessageIsEchoed() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, Array("frag".utf8), fin: false)
        connection.receiveFrame(closeOpcode, Wire.closePayload(1000))
        #expect(try connection.sentClose()?.code == 1000)
    }
}
