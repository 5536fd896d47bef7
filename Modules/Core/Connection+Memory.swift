import WebSocketFraming

extension Connection {
    /// The output capacity ``releaseIdleMemory()`` leaves: room for a quiet connection's small
    /// messages, well under the 16 KiB an idle connection may cost.
    public static let idleOutputCapacity = 4 * 1024

    /// Whether the connection holds memory sized for past traffic that ``releaseIdleMemory()``
    /// would release: the memory gathering split frames (kept between reads under
    /// ``keepsMemoryBetweenReads``), an empty output buffer grown past ``idleOutputCapacity``,
    /// arrays offered by ``recycle(_:)``, or written arrays kept for output by
    /// ``recycle(writtenChunks:)``.
    ///
    /// Inlinable: a driver asks after every read, and this is a few field reads. (A driver that
    /// keeps the connection in a class should ask through an `inout` access: a getter called on
    /// the stored property made the optimiser copy the whole `Connection` around the call, a
    /// retain and release of each of its references; see the Driver's `retainsBurstMemory`.)
    @inlinable public var retainsBurstMemory: Bool {
        stage.retainsMemory || (output.isEmpty && output.capacity > Self.idleOutputCapacity) || mayHoldRecycledPayload
    }

    /// Releases what ``retainsBurstMemory`` reports, for a driver to call once the connection
    /// has gone quiet; a frame being gathered keeps its memory. Like a receive call, it ends the
    /// loan of the last message ``receiveBorrowing(_:offset:)`` lent.
    public mutating func releaseIdleMemory() {
        stage.endLoan()
        stage.releaseIfIdle()
        if output.isEmpty, output.capacity > Self.idleOutputCapacity { output = [] }
        decoder.releaseRecycledStorage()
        spareOutputs = []
        mayHoldRecycledPayload = false
    }

    /// Offers the array of a large payload the driver has finished writing (one sent as its own
    /// chunk: ``takeOutput(into:)-(inout [[UInt8]])``) as memory to decode the next large
    /// payload received into, instead of a new array. An echo or relay of large messages then
    /// allocates fewer for them (``recycle(writtenChunks:)`` has the numbers), and stops the
    /// cycle in which each freed 64 KiB array let glibc trim its heap and the next one fault its
    /// pages back in (see `FrameDecoder+Recycling.swift`).
    ///
    /// The bytes are not read and not changed: if anyone else still holds the array when the
    /// payload comes (the application, a write queue), the payload gets a new one, as it would
    /// have anyway. The array counts as burst memory: ``releaseIdleMemory()`` drops it.
    /// - Parameter storage: an array the driver is done with; kept only if its capacity is
    ///   between 16 KiB and 1 MiB.
    public mutating func recycle(_ storage: [UInt8]) {
        decoder.recycle(storage)
        if decoder.holdsRecycledStorage { mayHoldRecycledPayload = true }
    }

    /// Takes back the arrays of chunks the driver has written (``takeOutput(into:)-(inout [[UInt8]])``),
    /// emptying `chunks` (its capacity kept): the large payloads among them are offered as by
    /// ``recycle(_:)``, and the smaller ones (the output sealed in front of a payload) become
    /// the output buffer again if the output is empty and has no memory of its own, or else are
    /// kept (up to ``maxSpareOutputs``, each of at most ``idleOutputCapacity``) for the output
    /// sealed after the next large payloads, so that no frame header is written into a new
    /// array. The 64 KiB echo through the async API went from 2.06 to 0.90 allocations per
    /// message with one array of each kind taken back per write, and from 10.8 page faults per
    /// message to 0.08 in a process where glibc trimmed; with a round's answers written
    /// together (several messages per write), every array of the write comes back.
    ///
    /// As with ``recycle(_:)``, nothing anyone else holds is changed: an array still queued for
    /// writing or kept by the application is replaced by a new one when it is next written to.
    /// - Parameter chunks: the driver's list of written buffers.
    public mutating func recycle(writtenChunks chunks: inout [[UInt8]]) {
        for index in chunks.indices {
            var chunk: [UInt8] = []
            swap(&chunk, &chunks[index])  // moved out, so that ours is the only reference left here
            if chunk.count >= Self.zeroCopyThreshold {
                recycle(chunk)
            } else if output.isEmpty, output.capacity == 0 {
                swap(&output, &chunk)
                output.removeAll(keepingCapacity: true)
            } else if chunk.capacity <= Self.idleOutputCapacity, spareOutputs.count < Self.maxSpareOutputs {
                spareOutputs.append(chunk)  // emptied when taken (`takeSpareOutput`)
                mayHoldRecycledPayload = true
            }
        }
        chunks.removeAll(keepingCapacity: true)
    }

    /// How many small written arrays ``recycle(writtenChunks:)`` keeps for later output.
    public static let maxSpareOutputs = 8

    /// An empty array for the output after the previous one was sealed or taken: a spare kept
    /// by ``recycle(writtenChunks:)`` (emptied in place when nobody else holds it), else a new
    /// one.
    mutating func takeSpareOutput() -> [UInt8] {
        guard var spare = spareOutputs.popLast() else { return [] }
        spare.removeAll(keepingCapacity: true)
        return spare
    }

    /// A read ended between frames: the gathering memory goes, unless the driver keeps it.
    mutating func readEndedBetweenFrames() {
        if !keepsMemoryBetweenReads { stage.releaseIfIdle() }
    }

    /// Whether memory for gathering split frames is held (for tests of its release).
    package var stageRetainsMemory: Bool { stage.retainsMemory }
}
