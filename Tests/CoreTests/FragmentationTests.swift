import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// RFC 6455 §5.4 and PITFALLS.md "Fragmentation state".
@Suite("RFC 6455 §5.4 Fragmentation")
struct FragmentationTests {
    @Test func fragmentsAreReassembled() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(binaryOpcode, [1, 2], fin: false)
        connection.receiveFrame(continuationOpcode, [], fin: false)
        connection.receiveFrame(continuationOpcode, [3])
        #expect(connection.receivedMessages() == [.binary([1, 2, 3])])
    }

    @Test func continuationWithoutAMessageFails() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(continuationOpcode, [1])
        try expectFailure(&connection, code: 1002)
    }

    @Test func newTextFrameWhileAMessageIsOpenFails() throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, [0x61], fin: false)
        connection.receiveFrame(textOpcode, [0x62])
        try expectFailure(&connection, code: 1002)
    }

    @Test func outgoingFragmentsOfTwoMessagesCannotInterleave() throws {
        var connection = try Harness.openServer()
        try connection.sendFragment([1], opcode: .binary, isFinal: false)
        #expect(throws: ConnectionError(.fragmentSequence)) { try connection.send(binary: [9]) }
        // Control frames may be injected between fragments.
        try connection.ping([7])
        try connection.sendFragment([2], opcode: .continuation, isFinal: true)
        #expect(throws: ConnectionError(.fragmentSequence)) {
            try connection.sendFragment([3], opcode: .continuation, isFinal: true)
        }
        let frames = try connection.sentFrames()
        #expect(frames == [
            Frame(opcode: .binary, isFinal: false, payload: [1]),
            Frame(opcode: .ping, payload: [7]),
            Frame(opcode: .continuation, payload: [2]),
        ])
    }

    @Test func manyFramesInOneReadAreAllHandled() throws {
        var connection = try Harness.openServer()
        var bytes: [UInt8] = []
        for index in 0..<100 { bytes += Wire.frame(binaryOpcode, [UInt8(index)], masked: true) }
        connection.receive(bytes)
        #expect(connection.receivedMessages().map(\.data) == (0..<100).map { [UInt8($0)] })
    }
}

/// RFC 6455 §5.2 and PITFALLS.md "RSV bits and opcodes".
@Suite("RFC 6455 §5.2 Reserved bits and opcodes")
struct ReservedBitsAndOpcodeTests {
    @Test("RSV bits without an extension fail with 1002", arguments: [0x40, 0x20, 0x10, 0x70] as [UInt8])
    func reservedBitsWithoutExtensionFail(rsv: UInt8) throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(textOpcode, Array("x".utf8), rsv: rsv)
        try expectFailure(&connection, code: 1002)
    }

    @Test("Reserved opcodes fail with 1002", arguments: [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] as [UInt8])
    func reservedOpcodesFail(opcode: UInt8) throws {
        var connection = try Harness.openServer()
        connection.receiveFrame(opcode, [])
        try expectFailure(&connection, code: 1002)
    }

    @Test func reservedBitsAreCheckedBeforeThePayloadArrives() throws {
        var connection = try Harness.openServer()
        let bytes = Wire.frame(binaryOpcode, Array(repeating: 0, count: 1000), rsv: 0x40, masked: true)
        connection.receive(bytes[0..<20])
        try expectFailure(&connection, code: 1002)
    }
}

/// RFC 6455 §5.1, §5.3 and PITFALLS.md "Masking".
@Suite("RFC 6455 §5.3 Masking")
struct MaskingRuleTests {
    @Test func serverFailsOnUnmaskedClientFrames() throws {
        var connection = try Harness.openServer()
        connection.receive(Wire.frame(textOpcode, Array("Hello".utf8), masked: false))
        try expectFailure(&connection, code: 1002)
    }

    @Test func clientFailsOnMaskedServerFrames() throws {
        var connection = try Harness.openClient()
        connection.receive(Wire.frame(textOpcode, Array("Hello".utf8), masked: true))
        try expectFailure(&connection, code: 1002)
    }

    @Test func clientMasksEveryFrameWithAFreshKey() throws {
        var connection = try Harness.openClient()
        for _ in 0..<20 { try connection.send(binary: [0, 0, 0, 0]) }
        let bytes = connection.takeOutput()
        var keys: Set<[UInt8]> = []
        for index in 0..<20 {
            let frame = Array(bytes[(index * 10)..<(index * 10 + 10)])
            #expect(frame[1] & 0x80 != 0, "MASK bit set")
            // The payload was zeros, so the masked payload is the key itself.
            #expect(Array(frame[2..<6]) == Array(frame[6..<10]))
            keys.insert(Array(frame[2..<6]))
        }
        #expect(keys.count == 20)
    }

    @Test func serverNeverMasks() throws {
        var connection = try Harness.openServer()
        try connection.send(text: "Hello")
        #expect(connection.takeOutput() == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }
}
