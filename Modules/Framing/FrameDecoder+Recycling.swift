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

    /// Keeps `storage` as memory for a later payload of at least ``minimumRecycledPayload``
    /// bytes that fits its capacity (and fills at least half of it); its bytes are never read.
    /// An array whose capacity is outside those bounds (or over the 1 MiB upfront reservation
    /// limit) is not kept; a newer offer replaces an older one.
    ///
    /// Nothing is copied and nothing written here: when the payload comes, the array is emptied
    /// in place if this is the only reference left to it, and otherwise (its sender still holds
    /// it, or a write queue) replaced by a new array of the same capacity, as Swift's
    /// copy-on-write has it, so what others hold is never changed.
    /// - Parameter storage: an array the caller is done with.
    package mutating func recycle(_ storage: [UInt8]) {
        let capacity = storage.capacity
        guard capacity >= Self.minimumRecycledPayload, capacity <= Self.maxUpfrontReservation else { return }
        recycled = storage
    }

    /// Whether an offered array is held (memory a driver releases when the connection is idle).
    package var holdsRecycledStorage: Bool { recycled.capacity != 0 }

    /// Drops the array offered by ``recycle(_:)``, if one is held.
    package mutating func releaseRecycledStorage() {
        recycled = []
    }

    /// An empty array with room for `count` bytes: the recycled one when it fits (see
    /// ``recycle(_:)``), else a new one.
    mutating func payloadStorage(count: Int) -> [UInt8] {
        var storage: [UInt8] = []
        if count >= Self.minimumRecycledPayload, recycled.capacity >= count, recycled.capacity / 2 <= count {
            swap(&storage, &recycled)
            storage.removeAll(keepingCapacity: true)  // in place when unshared; else a new array
        } else {
            storage.reserveCapacity(count)
        }
        return storage
    }
}
