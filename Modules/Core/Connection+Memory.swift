extension Connection {
    /// The output capacity ``releaseIdleMemory()`` leaves: room for a quiet connection's small
    /// messages, well under the 16 KiB an idle connection may cost.
    public static let idleOutputCapacity = 4 * 1024

    /// Whether the connection holds memory sized for past traffic that ``releaseIdleMemory()``
    /// would release: the memory gathering split frames (kept between reads under
    /// ``keepsMemoryBetweenReads``), or an empty output buffer grown past ``idleOutputCapacity``.
    ///
    /// Inlinable: a driver asks after every read, and this is two field reads. (A driver that
    /// keeps the connection in a class should ask through an `inout` access: a getter called on
    /// the stored property made the optimiser copy the whole `Connection` around the call, a
    /// retain and release of each of its references; see the Driver's `retainsBurstMemory`.)
    @inlinable public var retainsBurstMemory: Bool {
        stage.retainsMemory || (output.isEmpty && output.capacity > Self.idleOutputCapacity)
    }

    /// Releases what ``retainsBurstMemory`` reports, for a driver to call once the connection
    /// has gone quiet; a frame being gathered keeps its memory. Like a receive call, it ends the
    /// loan of the last message ``receiveBorrowing(_:offset:)`` lent.
    public mutating func releaseIdleMemory() {
        stage.endLoan()
        stage.releaseIfIdle()
        if output.isEmpty, output.capacity > Self.idleOutputCapacity { output = [] }
    }

    /// A read ended between frames: the gathering memory goes, unless the driver keeps it.
    mutating func readEndedBetweenFrames() {
        if !keepsMemoryBetweenReads { stage.releaseIfIdle() }
    }

    /// Whether memory for gathering split frames is held (for tests of its release).
    package var stageRetainsMemory: Bool { stage.retainsMemory }
}
