// Payload memory handed back for reuse.
//
// Every large payload the decoder returns is a new array, and a server that sends large
// messages on (an echo, a relay) frees one as often as it allocates one. With glibc that churn
// is not only a `malloc` and a `free` per message: a freed chunk of 64 KiB or more lets the
// thread arena trim the top of its heap (`madvise(MADV_DONTNEED)`) whenever it exceeds the trim
// threshold, and the next payload then faults its pages in again. Measured on the 64 KiB echo
// through `for try await`: 7.7-9.4 page faults per message in about half the server processes
// (whether a process trims depends on glibc's dynamic threshold), ~14% of the server's CPU, the
// rate 30% lower. A driver that has written such a payload offers its array here, and the next
// payload of a similar size is decoded into it instead: with the Driver offering the last
// payload of each write, 0.08 faults per message remain, and the rate is back at the handler
// path's (25.1 k against 16.7 k messages/s, 6 interleaved runs).

extension FrameDecoder {
    /// The least payload decoded into recycled memory (16 KiB, the Core's zero-copy threshold):
    /// smaller arrays come cheaply from `malloc`'s bins, and a large array should not carry a
    /// small message.
    package static let minimumRecycledPayload = 16 * 1024

    /// At most this many offered arrays are kept (see ``recycle(_:)``).
    static let maxRecycledPayloads = 8

    /// Keeps `storage` as memory for a later payload of at least ``minimumRecycledPayload``
    /// bytes that fits its capacity (and fills at least half of it); its bytes are never read.
    /// An array whose capacity is outside those bounds (or over the 1 MiB upfront reservation
    /// limit) is not kept. Several are kept, newest last, as long as there are at most
    /// ``maxRecycledPayloads`` and their capacities add up to at most that 1 MiB; the oldest
    /// make room for a newer offer. Several, because one write carries several messages: the
    /// `for try await` 64 KiB echo writes a round's answers together (up to 256 KiB), and with
    /// one array kept per write the others were freed and allocated again (1.55 allocations
    /// per echoed message against 0.94 when each write carried one message).
    ///
    /// Nothing is copied and nothing written here: when the payload comes, the array is emptied
    /// in place if this is the only reference left to it, and otherwise (its sender still holds
    /// it, or a write queue) replaced by a new array of the same capacity, as Swift's
    /// copy-on-write has it, so what others hold is never changed.
    /// - Parameter storage: an array the caller is done with.
    package mutating func recycle(_ storage: [UInt8]) {
        let capacity = storage.capacity
        guard capacity >= Self.minimumRecycledPayload, capacity <= Self.maxUpfrontReservation else { return }
        var held = recycled.reduce(capacity) { $0 + $1.capacity }
        while !recycled.isEmpty, recycled.count >= Self.maxRecycledPayloads || held > Self.maxUpfrontReservation {
            held -= recycled.removeFirst().capacity
        }
        recycled.append(storage)
    }

    /// Whether an offered array is held (memory a driver releases when the connection is idle).
    package var holdsRecycledStorage: Bool { !recycled.isEmpty }

    /// Drops the arrays offered by ``recycle(_:)``.
    package mutating func releaseRecycledStorage() {
        recycled = []
    }

    /// An empty array with room for `count` bytes: the newest recycled one that fits (see
    /// ``recycle(_:)``), else a new one.
    mutating func payloadStorage(count: Int) -> [UInt8] {
        if count >= Self.minimumRecycledPayload,
           let index = recycled.lastIndex(where: { $0.capacity >= count && $0.capacity / 2 <= count }) {
            recycled.swapAt(index, recycled.count - 1)
            var storage = recycled.removeLast()
            storage.removeAll(keepingCapacity: true)  // in place when unshared; else a new array
            return storage
        }
        var storage: [UInt8] = []
        storage.reserveCapacity(count)
        return storage
    }
}
