extension EventLoop {
    /// Registers `selectable`'s `descriptor` with the poller and keeps `selectable` alive until
    /// ``deregister(_:descriptor:interest:)``. Loop thread only.
    /// - Throws: ``TransportError/Kind/eventLoopShutdown`` while the loop is shutting down, or
    ///   the poller's error.
    /// - Returns: the registration identifier.
    func register(
        _ selectable: any Selectable, descriptor: Int32, interest: Interest
    ) throws(TransportError) -> UInt64 {
        guard !isFinishing else { throw TransportError(.eventLoopShutdown) }
        let id = registrations.insert(selectable)
        do {
            try poller.register(descriptor, id: id, interest: interest)
        } catch {
            registrations.remove(id)
            throw error
        }
        return id
    }

    /// Changes what registration `id` listens for. Loop thread only.
    func reregister(
        _ id: UInt64, descriptor: Int32, from old: Interest, to new: Interest
    ) throws(TransportError) {
        try poller.modify(descriptor, id: id, from: old, to: new)
    }

    /// Removes the descriptor from the poller but keeps the registration (so shutdown still
    /// reaches it). ``resume(_:descriptor:interest:)`` adds it back. Loop thread only.
    func suspend(_ id: UInt64, descriptor: Int32, interest: Interest) {
        poller.unregister(descriptor, interest: interest)
    }

    /// Adds a suspended descriptor back to the poller. Loop thread only.
    func resume(_ id: UInt64, descriptor: Int32, interest: Interest) throws(TransportError) {
        try poller.register(descriptor, id: id, interest: interest)
    }

    /// Removes registration `id` (call before closing the descriptor). Loop thread only.
    func deregister(_ id: UInt64, descriptor: Int32, interest: Interest) {
        poller.unregister(descriptor, interest: interest)
        registrations.remove(id)
    }
}
