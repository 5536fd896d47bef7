/// A binary min-heap of ``Scheduled`` tasks ordered by deadline, then by insertion order.
/// Each entry knows its index, so cancellation removes it in O(log n). Loop thread only.
struct TimerHeap {
    private var entries: [Scheduled] = []
    private var nextSequence: UInt64 = 0

    /// The number of pending timers.
    var count: Int { entries.count }

    /// The earliest timer.
    var first: Scheduled? { entries.first }

    /// Adds `timer`.
    mutating func insert(_ timer: Scheduled) {
        guard timer.heapIndex < 0 else { return }
        timer.sequence = nextSequence
        nextSequence &+= 1
        timer.heapIndex = entries.count
        entries.append(timer)
        siftUp(entries.count - 1)
    }

    /// Removes and returns the earliest timer.
    mutating func popFirst() -> Scheduled? {
        guard let first = entries.first else { return nil }
        remove(first)
        return first
    }

    /// Removes `timer` if it is in the heap.
    mutating func remove(_ timer: Scheduled) {
        let index = timer.heapIndex
        guard index >= 0, index < entries.count, entries[index] === timer else { return }
        let last = entries.count - 1
        if index != last { swapAt(index, last) }
        entries.removeLast()
        timer.heapIndex = -1
        guard index < entries.count else { return }
        siftDown(index)
        siftUp(index)
    }

    /// Empties the heap, returning what was in it.
    mutating func removeAll() -> [Scheduled] {
        let all = entries
        for timer in all { timer.heapIndex = -1 }
        entries.removeAll()
        return all
    }

    private static func precedes(_ lhs: Scheduled, _ rhs: Scheduled) -> Bool {
        lhs.deadline != rhs.deadline ? lhs.deadline < rhs.deadline : lhs.sequence < rhs.sequence
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        entries.swapAt(i, j)
        entries[i].heapIndex = i
        entries[j].heapIndex = j
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(entries[child], entries[parent]) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var smallest = parent
            let left = 2 * parent + 1
            let right = left + 1
            if left < entries.count && Self.precedes(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count && Self.precedes(entries[right], entries[smallest]) { smallest = right }
            guard smallest != parent else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }
}
