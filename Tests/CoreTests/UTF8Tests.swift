import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// RFC 6455 §8.1 and PITFALLS.md "Fail-fast UTF-8".
@Suite("RFC 6455 §8.1 UTF-8 handling")
struct UTF8Tests {
    /// "κόσμε" followed by the start of an encoded surrogate (ED A0 80), as in Autobahn 6.4.1.
    let invalid: [UInt8] = [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64]

    @Test func invalidUTF8ClosesWith1007Not1002() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, [0xC0, 0xAF])
        try expectFailure(&connection, code: 1007)
    }

    @Test func failsAtTheFragmentThatGoesWrongNotAtMessageEnd() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, Array(invalid[0..<5]), fin: false)
        expectStillOpen(&connection)
        connection.receiveFrame(continuationOpcode, Array(invalid[5...]), fin: false)
        // The message is not final, yet the connection already failed.
        try expectFailure(&connection, code: 1007)
    }

    @Test func failsAtTheTCPChunkThatGoesWrongInsideOneFrame() throws {
        var connection = try Harness.openServer()
        let bytes = Wire.frame(textOpcode, invalid, masked: true)
        let headerSize = 6
        connection.receive(bytes[0..<(headerSize + 5)])
        expectStillOpen(&connection)
        connection.receive(bytes[(headerSize + 5)..<(headerSize + 13)])
        // The frame is incomplete (two bytes still missing) but the invalid byte arrived.
        try expectFailure(&connection, code: 1007)
    }

    @Test func codePointSplitAcrossFramesIsAccepted() throws {
        var connection = try Harness.openServer()
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        connection.receiveFrame(textOpcode, [euro[0]], fin: false)
        connection.receiveFrame(continuationOpcode, [euro[1]], fin: false)
        connection.receiveFrame(continuationOpcode, [euro[2]])
        #expect(connection.receivedMessages() == [.text("€")])
        expectStillOpen(&connection)
    }

    @Test func codePointSplitAcrossTCPChunksIsAccepted() throws {
        var connection = try Harness.openServer()
        for byte in Wire.frame(textOpcode, Array("κόσμε€𝄞".utf8), masked: true) {
            connection.receive([byte])
        }
        #expect(connection.receivedMessages() == [.text("κόσμε€𝄞")])
    }

    @Test func truncatedCodePointAtMessageEndFails() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, [0x61, 0xE2, 0x82])
        try expectFailure(&connection, code: 1007)
    }

    @Test func binaryMessagesAreNotValidated() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(binaryOpcode, [0xFF, 0xFE])
        #expect(connection.receivedMessages() == [.binary([0xFF, 0xFE])])
    }

    @Test func closeReasonMustBeUTF8() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(closeOpcode, Wire.closePayload(1000, [0xFF]))
        try expectFailure(&connection, code: 1007)
    }
}
