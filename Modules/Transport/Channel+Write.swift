extension Channel {
    /// Writes `bytes`: sends at once what the socket takes (with `MSG_NOSIGNAL`), queues the rest
    /// and asks the loop for writability until the queue drains.
    ///
    /// Ignored once the channel is closed, after ``shutdownWrite()`` or ``closeAfterFlush()``.
    /// A failed write never closes the channel inside this call: the channel closes on the next
    /// loop iteration, with ``ChannelHandler/channelInactive(_:error:)`` carrying the error.
    /// - Parameter bytes: the bytes; the array is kept, not copied, if it must wait.
    public func write(_ bytes: [UInt8]) {
        guard acceptsWrites, !bytes.isEmpty else { return }
        if let tls { return encrypt(tls, bytes) }
        send(bytes)
    }

    /// Writes `bytes` as ``write(_:)`` does, taking the array over, and leaves in `bytes` an
    /// empty buffer to fill next: the same array when the socket took it all, else (the channel
    /// keeps it until it is written) one that the channel is done with, or a new empty one. A
    /// writer that always writes through one buffer this way allocates none per write, also
    /// while the peer reads slower than it writes.
    /// - Parameter bytes: the bytes; emptied (keeping capacity where it can).
    public func write(reusing bytes: inout [UInt8]) {
        var owned: [UInt8] = []
        swap(&owned, &bytes)  // the channel holds the only reference from here
        if let tls {
            if acceptsWrites, !owned.isEmpty { encrypt(tls, owned) }  // records of its own: `owned` is free
        } else if acceptsWrites, !owned.isEmpty, !send(owned, reusable: true) {
            bytes = writeQueue.takeSpare()  // the queue keeps `owned` until it is written
            return
        }
        owned.removeAll(keepingCapacity: true)
        swap(&bytes, &owned)
    }

    /// Sends `bytes` as they are (plaintext, or records from the TLS layer): at once what the
    /// socket takes, the rest queued.
    /// - Parameter reusable: whether the caller hands the array over (``WriteQueue/takeSpare()``).
    /// - Returns: true when the socket took everything (or the write failed): `bytes` is not kept.
    @discardableResult
    func send(_ bytes: [UInt8], reusable: Bool = false) -> Bool {
        guard writeQueue.isEmpty else {
            writeQueue.append(bytes, reusable: reusable)
            return false
        }
        switch socket.send(bytes) {
        case .success(.processed(let count)) where count >= bytes.count:
            return true
        case .success(.processed(let count)):
            writeQueue.append(bytes, from: count, reusable: reusable)
        case .success(.wouldBlock):
            writeQueue.append(bytes, reusable: reusable)
        case .failure(let error):
            failSoon(error.at(endpoint))
            return true
        }
        updateInterest()
        return false
    }

    /// Writes `header` then `payload` with one gathered write (`writev` semantics through
    /// `sendmsg`, so `MSG_NOSIGNAL` applies), e.g. a frame header and its payload without
    /// copying them together. Same rules as ``write(_:)``.
    /// - Parameters:
    ///   - header: the first bytes.
    ///   - payload: the bytes after them.
    public func write(header: [UInt8], payload: [UInt8]) {
        guard acceptsWrites else { return }
        guard !header.isEmpty, !payload.isEmpty else {
            write(header.isEmpty ? payload : header)
            return
        }
        if let tls { return encrypt(tls, header: header, payload: payload) }
        guard writeQueue.isEmpty else {
            writeQueue.append(header)
            writeQueue.append(payload)
            return
        }
        switch socket.send(header: header, payload: payload) {
        case .success(.processed(let count)) where count >= header.count + payload.count:
            return
        case .success(.processed(let count)) where count < header.count:
            writeQueue.append(header, from: count)
            writeQueue.append(payload)
        case .success(.processed(let count)):
            writeQueue.append(payload, from: count - header.count)
        case .success(.wouldBlock):
            writeQueue.append(header)
            writeQueue.append(payload)
        case .failure(let error):
            failSoon(error.at(endpoint))
            return
        }
        updateInterest()
    }

    /// Writes `chunks` in order with gathered writes (`sendmsg` with up to 16 buffers), keeping
    /// each array as it is (no copy, also when they must wait). Same rules as ``write(_:)``.
    /// - Parameter chunks: the buffers, e.g. frame headers and the payloads they announce.
    public func write(contentsOf chunks: [[UInt8]]) {
        guard acceptsWrites else { return }
        if let tls { return encrypt(tls, chunks) }
        let wasIdle = writeQueue.isEmpty
        for chunk in chunks { writeQueue.append(chunk) }
        guard wasIdle, !writeQueue.isEmpty else { return }
        do {
            _ = try writeQueue.flush(to: socket)
        } catch {
            return failSoon(error.at(endpoint))
        }
        updateInterest()
    }

    /// Whether ``write(_:)`` takes bytes now.
    var acceptsWrites: Bool {
        state != .closed && !outputClosed && !shutdownWhenFlushed && !closeWhenFlushed && failure == nil
    }

    /// Remembers a write failure and closes with it on the next loop iteration, so that no
    /// callback fires from inside the caller's `write`.
    func failSoon(_ error: TransportError) {
        guard failure == nil, state != .closed else { return }
        failure = error
        writeQueue.removeAll()
        loop.execute { [self] in close(error: error) }
    }

    /// Writes queued bytes after a writability report; on drain, finishes a pending
    /// ``closeAfterFlush()`` or ``shutdownWrite()`` and fires ``ChannelHandler/channelWritable(_:)``.
    func flushQueue() {
        let drained: Bool
        do {
            drained = try writeQueue.flush(to: socket)
        } catch {
            close(error: error.at(endpoint))
            return
        }
        guard drained else { return }
        updateInterest()
        if closeWhenFlushed && mayFinishClosing {
            close()
            return
        }
        if shutdownWhenFlushed && mayFinishClosing { performShutdownWrite() }
        handler?.channelWritable(self)
    }

    /// What the poller should report: reads while enabled and before EOF, writability while
    /// bytes wait.
    var wantedInterest: Interest {
        var wanted: Interest = []
        if readEnabled && !inputClosed { wanted.insert(.read) }
        if !writeQueue.isEmpty { wanted.insert(.write) }
        return wanted
    }

    /// Tells the poller about a change of ``wantedInterest``.
    func updateInterest() {
        guard state == .active, registrationID != 0 else { return }
        let wanted = wantedInterest
        do {
            if suspended {
                guard wanted.contains(.read) else { return }
                try loop.resume(registrationID, descriptor: socket.descriptor, interest: wanted)
                suspended = false
            } else if wanted != interest {
                try loop.reregister(registrationID, descriptor: socket.descriptor, from: interest, to: wanted)
            }
            interest = wanted
        } catch {
            failSoon(error)
        }
    }
}
