/// The loop's registrations: what the poller reports readiness for, found from the identifier
/// the poller hands back with each event.
///
/// A slab rather than a dictionary: an identifier carries its slot (the low ``slotBits``, plus
/// one, so that 0, the poller's wake-up identifier, is never handed out) and a stamp (the bits
/// above) that makes it unique among the slot's successive occupants. Finding a registration is
/// one bounds check, one index and one compare, where hashing the identifier cost about 5% of
/// a server's user time with 100 busy connections. The stamp keeps an event that was reported
/// for a registration removed earlier in the same poll from reaching whoever took its slot.
///
/// An identifier fits in a pointer-sized integer (kqueue hands it back in `udata`): 32 + 32 bits
/// on 64-bit platforms, 20 + 12 on 32-bit ones (a million registrations at once there).
struct RegistrationTable {
    /// Bits of an identifier that hold the slot number plus one.
    static let slotBits = UInt.bitWidth == 64 ? 32 : 20
    /// Bits above them that hold the stamp.
    static let stampBits = UInt.bitWidth - slotBits
    private static let slotMask = UInt64(1) << UInt64(slotBits) - 1
    private static let stampMask = UInt64(1) << UInt64(stampBits) - 1

    private struct Entry {
        var id: UInt64
        var selectable: (any Selectable)?
    }

    private var entries: [Entry] = []
    /// Empty slots, reused most recently freed first (their memory is the likeliest in cache).
    private var freeSlots: [Int] = []
    private var nextStamp: UInt64 = 0

    /// How many registrations are held.
    var count: Int { entries.count - freeSlots.count }

    /// Adds `selectable`.
    /// - Returns: its identifier: never 0, never one handed out for this table's other
    ///   registrations, and not again in the same slot for 2^``stampBits`` registrations after it.
    mutating func insert(_ selectable: any Selectable) -> UInt64 {
        let slot = freeSlots.popLast() ?? appendSlot()
        nextStamp = (nextStamp &+ 1) & Self.stampMask
        let id = nextStamp << UInt64(Self.slotBits) | UInt64(slot + 1)
        entries[slot] = Entry(id: id, selectable: selectable)
        return id
    }

    private mutating func appendSlot() -> Int {
        precondition(UInt64(entries.count) < Self.slotMask, "more registrations than a slot number holds")
        entries.append(Entry(id: 0, selectable: nil))
        return entries.count - 1
    }

    /// The slot of `id`, or nil when it names none of this table's.
    private func slot(of id: UInt64) -> Int? {
        let slot = Int(truncatingIfNeeded: id & Self.slotMask) &- 1
        return slot >= 0 && slot < entries.count ? slot : nil
    }

    /// The registration of `id`, or nil when it was removed (or never made here).
    subscript(id: UInt64) -> (any Selectable)? {
        guard let slot = slot(of: id) else { return nil }
        let entry = entries[slot]
        return entry.id == id ? entry.selectable : nil
    }

    /// Removes the registration of `id`; nothing when there is none.
    mutating func remove(_ id: UInt64) {
        guard let slot = slot(of: id), entries[slot].id == id else { return }
        entries[slot] = Entry(id: 0, selectable: nil)
        freeSlots.append(slot)
    }

    /// Every registration held, in slot order.
    var all: [any Selectable] { entries.compactMap(\.selectable) }

    /// Removes every registration.
    mutating func removeAll() {
        entries.removeAll()
        freeSlots.removeAll()
    }
}
