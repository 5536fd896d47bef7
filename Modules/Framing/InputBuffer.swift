/// The receive buffer: bytes read from the transport and not yet consumed by a parser.
///
/// An array with a read index. Consuming bytes only moves the index; the buffer compacts itself
/// when appending, so a connection in steady state allocates nothing here:
/// - when everything has been consumed, the storage is emptied keeping its capacity;
/// - when the read index has passed half of the storage and at least
///   ``compactionThreshold`` bytes, the consumed prefix is dropped (one `memmove`).
///
/// The HTTP upgrade parser and ``FrameDecoder`` read from the same buffer, so bytes that follow
/// the handshake response in one read stay here for the frame parser.
public struct InputBuffer: Sendable {
    /// The buffered bytes; `storage[readIndex...]` are unread.
    @usableFromInline
    var storage: [UInt8]

    /// Index in `storage` of the first unread byte.
    @usableFromInline
    var readIndex: Int

    /// The consumed prefix is dropped only once it is at least this long (and past half of the
    /// storage), so that compaction's `memmove` stays amortised.
    @inlinable public static var compactionThreshold: Int { 4096 }

    /// Creates an empty buffer.
    public init() {
        storage = []
        readIndex = 0
    }

    /// Creates a buffer holding `bytes`.
    /// - Parameter bytes: the initial unread bytes.
    public init(_ bytes: [UInt8]) {
        storage = bytes
        readIndex = 0
    }

    /// The number of unread bytes.
    @inlinable public var readableCount: Int { storage.count &- readIndex }

    /// Whether there are no unread bytes.
    @inlinable public var isEmpty: Bool { readIndex == storage.count }

    /// The unread bytes. The slice shares the buffer's storage: its indices are storage indices,
    /// so start from `readableBytes.startIndex`, not 0.
    @inlinable public var readableBytes: ArraySlice<UInt8> { storage[readIndex...] }

    /// Appends bytes read from the transport, compacting first if that avoids growing.
    ///
    /// Specialised in the caller's module, so `[UInt8]`, `ArraySlice<UInt8>`,
    /// `UnsafeRawBufferPointer` and `UnsafeBufferPointer<UInt8>` are copied with `memcpy`.
    /// - Parameter bytes: the bytes to append.
    @inlinable
    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        compact()
        storage.append(contentsOf: bytes)
    }

    /// Consumes the first `count` unread bytes.
    /// - Parameter count: how many bytes to consume; must be in `0...readableCount`.
    @inlinable
    public mutating func removeFirst(_ count: Int) {
        precondition(count >= 0 && count <= readableCount, "removeFirst beyond the readable bytes")
        readIndex &+= count
        if readIndex == storage.count { storage.removeAll(keepingCapacity: true); readIndex = 0 }
    }

    /// Discards every buffered byte.
    /// - Parameter keepingCapacity: whether to keep the storage allocated; `false` by default.
    public mutating func removeAll(keepingCapacity: Bool = false) {
        storage.removeAll(keepingCapacity: keepingCapacity)
        readIndex = 0
    }

    /// Reclaims consumed space: empties the storage when all of it was read, or drops the
    /// consumed prefix when it is both past half of the storage and past the threshold.
    @inlinable
    mutating func compact() {
        if readIndex == 0 { return }
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= InputBuffer.compactionThreshold && readIndex >= storage.count / 2 {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
