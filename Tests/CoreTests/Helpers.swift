import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketTestSupport

/// The close info reported by the pending events, if any.
func closedInfo(_ connection: inout Connection) -> CloseInfo? {
    for event in connection.takeEvents() {
        if case .closed(let info) = event { return info }
    }
    return nil
}

/// Asserts that the connection failed with `code`: a close frame with that code was sent and
/// the closure reports it.
func expectFailure(_ connection: inout Connection, code: UInt16, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let info = closedInfo(&connection)
    #expect(info?.code.rawValue == code, "closure code", sourceLocation: sourceLocation)
    #expect(info?.wasClean == false, sourceLocation: sourceLocation)
    #expect(info?.error != nil, sourceLocation: sourceLocation)
    let sent = try connection.sentClose()
    #expect(sent?.code == code, "close frame code", sourceLocation: sourceLocation)
    #expect(connection.phase == .closed, sourceLocation: sourceLocation)
}

/// Asserts that nothing failed: no closure event and no close frame queued.
func expectStillOpen(_ connection: inout Connection, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(connection.phase == .open, sourceLocation: sourceLocation)
    #expect(connection.closeInfo == nil, sourceLocation: sourceLocation)
}

let textOpcode: UInt8 = 0x1
let binaryOpcode: UInt8 = 0x2
let continuationOpcode: UInt8 = 0x0
let closeOpcode: UInt8 = 0x8
let pingOpcode: UInt8 = 0x9
let pongOpcode: UInt8 = 0xA
