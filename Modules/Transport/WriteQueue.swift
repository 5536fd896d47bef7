#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The bytes a ``Channel`` could not write yet, in order, flushed with gathered writes.
///
/// Chunks are the caller's arrays, kept as they are (no copy); the first may be partly written.
struct WriteQueue {
    /// At most this many chunks go into one `sendmsg` (well below `IOV_MAX`).
    private static let maxVectors = 16

    private var chunks: [[UInt8]] = []
    /// For each chunk: whether its array was handed over for good (``append(_:from:reusable:)``),
    /// so that once written it can serve as ``spare``.
    private var reusable: [Bool] = []
    private var head = 0
    private var headOffset = 0
    /// The number of bytes waiting.
    private(set) var byteCount = 0
    /// An empty array with the capacity of a reusable chunk already written: the next buffer of
    /// a writer whose last one is still queued, so that it fills memory already in use instead
    /// of a new allocation (whose pages the kernel must fault in and zero: a quarter of a
    /// client's CPU time when echoing 1 MiB messages). Dropped when the queue drains.
    private var spare: [UInt8] = []

    /// Whether nothing is waiting.
    var isEmpty: Bool { byteCount == 0 }

    /// Queues `bytes[offset...]` (nothing when that is empty).
    /// - Parameter reusable: whether the queue holds the only reference to `bytes`, so that the
    ///   array may be reused once written (``takeSpare()``).
    mutating func append(_ bytes: [UInt8], from offset: Int = 0, reusable isReusable: Bool = false) {
        guard offset < bytes.count else { return }
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            reusable.removeAll(keepingCapacity: true)
            head = 0
        }
        if chunks.isEmpty {
            chunks.append(bytes)
            headOffset = offset
            reusable.append(isReusable)
        } else {
            // Only the first chunk may start mid-array; a later partial chunk (rare) is copied.
            chunks.append(offset == 0 ? bytes : Array(bytes[offset...]))
            reusable.append(isReusable && offset == 0)
        }
        byteCount += bytes.count - offset
    }

    /// The spare buffer (empty, perhaps with capacity), which the queue then forgets.
    mutating func takeSpare() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &spare)
        return taken
    }

    /// Drops everything.
    mutating func removeAll() {
        chunks.removeAll()
        reusable.removeAll()
        spare = []
        head = 0
        headOffset = 0
        byteCount = 0
    }

    /// Writes as much as the socket takes.
    /// - Returns: true when the queue is now empty, false when the socket would block.
    mutating func flush(to socket: borrowing Socket) throws(TransportError) -> Bool {
        while !isEmpty {
            switch try send(to: socket) {
            case .processed(let count): consume(count)
            case .wouldBlock: return false
            }
        }
        return true
    }

    private mutating func consume(_ count: Int) {
        var remaining = count
        byteCount -= count
        while remaining > 0, head < chunks.count {
            let available = chunks[head].count - headOffset
            if remaining < available {
                headOffset += remaining
                return
            }
            remaining -= available
            var written: [UInt8] = []
            swap(&written, &chunks[head])
            if reusable[head], written.capacity > spare.capacity {
                written.removeAll(keepingCapacity: true)  // the only reference: no copy
                spare = written
            }
            head += 1
            headOffset = 0
        }
        if byteCount == 0 { spare = [] }
        if head > 64 && head * 2 > chunks.count {
            chunks.removeFirst(head)
            reusable.removeFirst(head)
            head = 0
        }
    }

    /// One gathered write of up to ``maxVectors`` chunks (the vectors on the stack: no
    /// allocation per write).
    private func send(to socket: borrowing Socket) throws(TransportError) -> IOResult<Int> {
        let count = min(chunks.count - head, Self.maxVectors)
        return try withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            vectors.initialize(repeating: iovec())
            return gather(0, count, vectors) { list in
                Result { () throws(TransportError) in try socket.send(gathering: list) }
            }
        }.get()
    }

    /// Pins chunks `index..<count` (nesting `withUnsafeBytes`), fills `vectors`, then calls `body`
    /// while every chunk is pinned.
    private func gather(
        _ index: Int, _ count: Int, _ vectors: UnsafeMutableBufferPointer<iovec>,
        _ body: (UnsafeMutableBufferPointer<iovec>) -> Result<IOResult<Int>, TransportError>
    ) -> Result<IOResult<Int>, TransportError> {
        guard index < count else {
            return body(vectors)
        }
        let skip = index == 0 ? headOffset : 0
        return chunks[head + index].withUnsafeBytes { raw in
            if let base = raw.baseAddress {
                vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: base + skip), iov_len: raw.count - skip)
            }
            return gather(index + 1, count, vectors, body)
        }
    }
}
