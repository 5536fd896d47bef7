import Testing
@testable import WebSocketTransport

/// The loop's registration slab: identifiers find their registration, a removed one finds
/// nothing even after its slot was taken again (an event reported for it earlier in the same
/// poll must not reach the newcomer), and 0 (the poller's wake-up) is never handed out.
@Suite("RegistrationTable: the loop's registrations by identifier")
struct RegistrationTableTests {
    final class Probe: Selectable {
        let name: Int
        init(_ name: Int) { self.name = name }
        func handleEvent(_ event: PollEvent) {}
        func loopWillShutDown() {}
    }

    static func name(_ selectable: (any Selectable)?) -> Int? { (selectable as? Probe)?.name }

    @Test func identifiersFindTheirRegistration() {
        var table = RegistrationTable()
        let ids = (0..<100).map { table.insert(Probe($0)) }
        #expect(Set(ids).count == 100)
        #expect(!ids.contains(0))
        for (index, id) in ids.enumerated() { #expect(Self.name(table[id]) == index) }
        #expect(table.count == 100)
        #expect(table[0] == nil)
        #expect(table[UInt64.max] == nil)
        #expect(table.all.count == 100)
        #expect(ids.allSatisfy { $0 <= UInt64(UInt.max) }, "an identifier fits in kqueue's udata")
    }

    @Test func aRemovedIdentifierFindsNothingAfterItsSlotIsReused() {
        var table = RegistrationTable()
        let first = table.insert(Probe(1))
        let second = table.insert(Probe(2))
        table.remove(first)
        #expect(table[first] == nil)
        let third = table.insert(Probe(3))
        let slotMask = UInt64(1) << UInt64(RegistrationTable.slotBits) - 1
        #expect(third & slotMask == first & slotMask, "the slot is reused")
        #expect(third != first)
        #expect(table[first] == nil, "a stale event must not reach the slot's new occupant")
        #expect(Self.name(table[third]) == 3)
        #expect(Self.name(table[second]) == 2)
        table.remove(first)  // removing a stale identifier changes nothing
        #expect(Self.name(table[third]) == 3)
        #expect(table.count == 2)
    }

    @Test func removeAllEmptiesTheTable() {
        var table = RegistrationTable()
        let id = table.insert(Probe(1))
        table.removeAll()
        #expect(table[id] == nil)
        #expect(table.count == 0)
        #expect(table.all.isEmpty)
        let again = table.insert(Probe(2))
        #expect(Self.name(table[again]) == 2)
    }
}
