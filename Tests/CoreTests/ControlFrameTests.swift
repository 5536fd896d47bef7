import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// RFC 6455 §5.5 and PITFALLS.md "Control frames".
@Suite("RFC 6455 §5.5 Control frames")
struct ControlFrameTests {
    @Test func pingIsAnsweredWithItsPayload() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(pingOpcode, [0x00, 0xFF, 0xFE])
        #expect(try connection.sentFrames() == [Frame(opcode: .pong, payload: [0x00, 0xFF, 0xFE])])
    }

    @Test func controlFrameOver125BytesFails() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(pingOpcode, Array(repeating: 0x2A, count: 126))
        try expectFailure(&connection, code: 1002)
    }

    @Test func fragmentedControlFrameFails() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(pingOpcode, [1], fin: false)
        try expectFailure(&connection, code: 1002)
    }

    @Test func pingBetweenFragmentsIsAnsweredAndTheMessageSurvives() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, Array("frag".utf8), fin: false)
        connection.receiveFrame(pingOpcode, Array("mid".utf8))
        connection.receiveFrame(continuationOpcode, Array("ment".utf8))
        #expect(try connection.sentFrames() == [Frame(opcode: .pong, payload: Array("mid".utf8))])
        #expect(connection.receivedMessages() == [.text("fragment")])
    }

    @Test func unsolicitedPongIsIgnored() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(pongOpcode, Array("unsolicited".utf8))
        let events = connection.takeEvents()
        #expect(events.count == 1)
        if case .pong(let payload) = events.first { #expect(payload == Array("unsolicited".utf8)) }
        #expect(try connection.sentFrames().isEmpty)
        expectStillOpen(&connection)
    }

    @Test func tenPingsGetTenPongsInOrder() throws {
        var connection = try Harness.openServer()
        var bytes: [UInt8] = []
        for index in 0..<10 { bytes += Wire.frame(pingOpcode, [UInt8(index)], masked: true) }
        connection.receive(bytes)
        let pongs = try connection.sentFrames()
        #expect(pongs.map(\.payload) == (0..<10).map { [UInt8($0)] })
    }

    @Test func pingFloodQueuesABoundedNumberOfPongs() throws {
        var configuration = Configuration()
        configuration.maxQueuedPongs = 4
        var connection = try Harness.openServer(configuration)
        for _ in 0..<1000 { connection.receiveFrame(pingOpcode, [1]) }
        #expect(try connection.sentFrames().count == 4)
        // Once the driver takes the output, pings are answered again.
        connection.receiveFrame(pingOpcode, [2])
        #expect(try connection.sentFrames() == [Frame(opcode: .pong, payload: [2])])
    }

    @Test func pastThePongCapTheMostRecentPingIsStillAnswered() throws {
        var configuration = Configuration()
        configuration.maxQueuedPongs = 4
        var connection = try Harness.openServer(configuration)
        var bytes: [UInt8] = []
        for index in 0..<1000 { bytes += Wire.frame(pingOpcode, [UInt8(index >> 8), UInt8(index & 0xFF)], masked: true) }
        connection.receive(bytes)
        // RFC 6455 §5.5.3: answering only the most recent ping is allowed; dropping it is not
        // (a keepalive ping at the end of a burst must get its pong).
        let pongs = try connection.sentFrames()
        #expect(pongs.map(\.opcode) == [.pong, .pong, .pong, .pong])
        #expect(pongs.map(\.payload) == [[0, 0], [0, 1], [0, 2], [3, 0xE7]])
    }

    @Test func pingFloodWhileTheOutputIsBlockedKeepsOnlyTheMostRecentPong() throws {
        var connection = try Harness.openServer()
        connection.isOutputBlocked = true
        for index in 0..<10_000 { connection.receiveFrame(pingOpcode, [UInt8(index >> 8), UInt8(index & 0xFF)]) }
        #expect(connection.pendingOutputCount == 4)  // one pong: 2 header bytes + 2 payload bytes
        #expect(try connection.sentFrames() == [Frame(opcode: .pong, payload: [0x27, 0x0F])])
        expectStillOpen(&connection)
        // Unblocked again: every ping of a burst is answered (Autobahn 2.10).
        connection.isOutputBlocked = false
        for index in 0..<10 { connection.receiveFrame(pingOpcode, [UInt8(index)]) }
        #expect(try connection.sentFrames().map(\.payload) == (0..<10).map { [UInt8($0)] })
    }

    @Test func aWaitingPongPrecedesTheCloseFrameAndNothingFollowsIt() throws {
        var connection = try Harness.openServer()
        connection.isOutputBlocked = true
        connection.receiveFrame(pingOpcode, [7])
        connection.receiveFrame(pingOpcode, [8])
        connection.receiveFrame(closeOpcode, Wire.closePayload(1000))
        #expect(try connection.sentFrames() == [
            Frame(opcode: .pong, payload: [8]), Frame(opcode: .close, payload: Wire.closePayload(1000)),
        ])
    }

    @Test func aWaitingPongIsDroppedOnceTheCloseFrameWasSent() throws {
        var connection = try Harness.openServer()
        connection.isOutputBlocked = true
        try connection.close(code: .goingAway)
        connection.receiveFrame(pingOpcode, [9])
        #expect(try connection.sentFrames().map(\.opcode) == [.close])
    }

    @Test func unsolicitedAndDuplicatePongsAreHarmless() throws {
        var connection = try Harness.openServer()
        try connection.ping(Array("keepalive".utf8))
        _ = connection.takeOutput()
        for _ in 0..<10_000 { connection.receiveFrame(pongOpcode, Array("keepalive".utf8)) }
        for index in 0..<10_000 { connection.receiveFrame(pongOpcode, [UInt8(index & 0xFF)]) }
        #expect(connection.takeEvents().count == 20_000)
        #expect(try connection.sentFrames().isEmpty)
        expectStillOpen(&connection)
        connection.receiveFrame(textOpcode, Array("still here".utf8))
        #expect(connection.receivedMessages() == [.text("still here")])
    }

    @Test func pingPayloadOver125BytesIsRefusedBeforeSending() throws {
        var connection = try Harness.openServer()
        #expect(throws: ConnectionError(.controlPayloadTooLong(126))) {
            try connection.ping(Array(repeating: 0, count: 126))
        }
        #expect(try connection.sentFrames().isEmpty)
    }
}
