import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// RFC 6455 §10.4 and PITFALLS.md "Size limits and DoS".
@Suite("RFC 6455 §10.4 Implementation-specific limits")
struct LimitTests {
    func limited(frame: Int = 1 << 20, message: Int = 1 << 20, fragments: Int = 16_384) -> Configuration {
        var configuration = Configuration()
        configuration.maxFrameSize = frame
        configuration.maxMessageSize = message
        configuration.maxFragmentsPerMessage = fragments
        return configuration
    }

    @Test func frameOverTheLimitFailsWith1009FromItsHeader() throws {
        var connection = try Harness.openServer(limited(frame: 1000))
        let bytes = Wire.frame(binaryOpcode, Array(repeating: 0, count: 1001), masked: true)
        connection.receive(bytes[0..<8])
        try expectFailure(&connection, code: 1009)
    }

    /// A frame limit under 125 holds for data frames too (only control frames have 125 of
    /// their own); it was raised to 125 for every frame.
    @Test func aFrameLimitUnder125AppliesToDataFrames() throws {
        var connection = try Harness.openServer(limited(frame: 16))
        connection.receiveFrame(binaryOpcode, Array(repeating: 0, count: 16))
        connection.receiveFrame(pingOpcode, Array(repeating: 2, count: 125))
        #expect(connection.receivedMessages().map(\.data.count) == [16])
        expectStillOpen(&connection)
        connection.receiveFrame(binaryOpcode, Array(repeating: 0, count: 100))
        try expectFailure(&connection, code: 1009)
    }

    @Test func accumulatedMessageOverTheLimitFailsWith1009() throws {
        var connection = try Harness.openServer(limited(message: 1000))
        connection.receiveFrame(binaryOpcode, Array(repeating: 1, count: 600), fin: false)
        expectStillOpen(&connection)
        connection.receiveFrame(continuationOpcode, Array(repeating: 1, count: 600))
        try expectFailure(&connection, code: 1009)
    }

    @Test func tooManyFragmentsFailWith1009() throws {
        var connection = try Harness.openServer(limited(fragments: 10))
        connection.receiveFrame(binaryOpcode, [], fin: false)
        for _ in 0..<9 { connection.receiveFrame(continuationOpcode, [], fin: false) }
        expectStillOpen(&connection)
        connection.receiveFrame(continuationOpcode, [], fin: false)
        try expectFailure(&connection, code: 1009)
    }

    @Test func controlFramesPassEvenWhenTheMessageIsAtItsLimit() throws {
        var connection = try Harness.openServer(limited(message: 100))
        connection.receiveFrame(binaryOpcode, Array(repeating: 1, count: 100), fin: false)
        connection.receiveFrame(pingOpcode, Array(repeating: 2, count: 125))
        connection.receiveFrame(continuationOpcode, [])
        #expect(connection.receivedMessages().first?.data.count == 100)
        expectStillOpen(&connection)
    }

    @Test func hugeClaimedLengthIsRejectedWithoutAllocating() throws {
        var connection = try Harness.openServer()
        // 2^63 - 1 bytes claimed; the limit check happens on the header.
        connection.receive([0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4])
        try expectFailure(&connection, code: 1009)
    }

    @Test func lengthWithTheMostSignificantBitSetFailsWith1002() throws {
        var connection = try Harness.openServer()
        connection.receive([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4])
        try expectFailure(&connection, code: 1002)
    }
}
