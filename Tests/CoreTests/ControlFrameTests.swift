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

    @Test func pingPayloadOver125BytesIsRefusedBeforeSending() throws {
        var connection = try Harness.openServer()
        #expect(throws: ConnectionError(.controlPayloadTooLong(126))) {
            try connection.ping(Array(repeating: 0, count: 126))
        }
        #expect(try connection.sentFrames().isEmpty)
    }
}
