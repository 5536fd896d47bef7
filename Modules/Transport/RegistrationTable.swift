/// The loop's registrations: what the poller reports readiness for, found from the identifier
/// the poller hands back with each event.
///
/// A slab rather than a dictionary: an identifier carries its slot (low 32 bits, plus one, so
/// that 0, the poller's wake-up identifier, is never handed out) and a stamp (high 32 bits)
/// that makes it unique among the slot's successive occupants. Finding a registration is one
/// bounds check, one index and one compare, where hashing the identifier cost about 5% of a
/// server's user time with 100 busy connections. The stamp keeps an event that was reported
/// for a registration removed earlier in the same poll from reaching whoever took its slot.
struct RegistrationTable {
    private struct Entry {
        var id: UInt64
        var selectable: (any Selectable)?
    }

    private var entries: [Entry] = []
    /// Empty slots, reused most recently freed first (their memory is the likeliest in cache).
    private var freeSlots: [Int] = []
    private var nextStamp: UInt32 = 0

    /// How many registrations are held.
    private(set) var count = 0

    /// Adds `selectable`.
    /// - Returns: its identifier: never 0, never one handed out for this table's other
    ///   registrations, and not again for 2³² registrations after it in the same slot.
    mutating func insert(_ selectable: any Selectable) -> UInt64 {
        let slot = freeSlots.popLast() ?? appendSlot()
        nextStamp &+= 1
        let id = UInt64(nextStamp) << 32 | UInt64(slot + 1)
        entries[slot] = Entry(id: id, selectable: selectable)
        count += 1
        return id
    }

    private mutating func appendSlot() -> Int {
        precondition(entries.count < Int(UInt32.max), "more registrations than a slot number holds")
        entries.append(Entry(id: 0, selectable: nil))
        return entries.count - 1
    }

    /// The registration of `id`, or nil when it was removed (or never made here).
    subscript(id: UInt64) -> (any Selectable)? {
        let slot = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: id)) &- 1
        guard slot >= 0, slot < entries.count else { return nil }
        let entry = entries[slot]
        return entry.id == id ? entry.selectable : nil
    }

    /// Removes the registration of `id`; nothing when there is none.
    mutating func remove(_ id: UInt64) {
        let slot = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: id)) &- 1
        guard slot >= 0, slot < entries.count, entries[slot].id == id else { return }
        entries[slot] = Entry(id: 0, selectable: nil)
        freeSlots.append(slot)
        count -= 1
    }

    /// Every registration held, in slot order.
    var all: [any Selectable] { entries.compactMap(\.selectable) }

    /// Removes every registration.
    mutating func removeAll() {
        entries.removeAll()
        freeSlots.removeAll()
        count = 0
    }
}
