/// The Core's pending events, oldest first: appended as they happen, taken one at a time by
/// ``Connection/nextEvent()``.
///
/// The count is kept beside the array rather than read from it, so that asking whether there
/// is an event touches only the connection's own state and not the array's heap buffer: with
/// 100 connections on one thread that buffer's line is a cache miss per message, and a message
/// taken in place (``Connection/receiveBorrowing(_:offset:)``) adds no event at all. The
/// buffer keeps its capacity once emptied, so events cost no allocation in steady state.
struct EventQueue {
    private var events: [Event] = []
    /// The index of the next event to take.
    private var head = 0
    /// `events.count`, kept here (see the type's comment).
    private(set) var total = 0

    /// Whether an event waits to be taken.
    var isEmpty: Bool { head == total }

    /// Appends `event`.
    mutating func append(_ event: Event) {
        events.append(event)
        total &+= 1
    }

    /// Whether the last of the events appended after the first `count` is a message.
    func endsWithMessage(after count: Int) -> Bool {
        guard total > count, case .message = events[total &- 1] else { return false }
        return true
    }

    /// The oldest event not taken yet, or nil; once all are taken the buffer is emptied (its
    /// capacity kept).
    mutating func next() -> Event? {
        guard head < total else {
            if total != 0 {
                events.removeAll(keepingCapacity: true)
                head = 0
                total = 0
            }
            return nil
        }
        defer { head &+= 1 }
        return events[head]
    }
}
