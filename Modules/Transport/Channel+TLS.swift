extension Channel {
    /// The TLS session of a TLS channel (negotiated ALPN protocol and version, the peer's
    /// certificates, the requested server name); nil for plain TCP. Loop thread.
    public var tlsSession: TLSSession? { tls?.session }

    // MARK: Handshake

    /// Drives the handshake with what has arrived; sends what it produced. A completed
    /// handshake fires ``ChannelHandler/channelActive(_:)`` (or the connect's completion) and
    /// sends the plaintext written meanwhile; a failed one closes the channel after sending
    /// our alert.
    func advanceHandshake(_ tls: TLSLayer) {
        let complete: Bool
        do {
            complete = try tls.session.handshake()
        } catch {
            sendCiphertext(tls)
            close(error: error.at(endpoint))  // a connect waiting for the handshake learns it too
            return
        }
        sendCiphertext(tls)
        if complete { handshakeCompleted(tls) }
    }

    private func handshakeCompleted(_ tls: TLSLayer) {
        let held = tls.takePending()
        for chunk in held { encrypt(tls, chunk) }
        if let completion = tls.takeCompletion() {
            completion(self, nil)
        } else {
            handler?.channelActive(self)
        }
        guard state == .active else { return }
        if closeWhenFlushed || shutdownWhenFlushed {
            sendCloseNotify(tls)
            guard writeQueue.isEmpty else { return }
            if closeWhenFlushed { close() } else { performShutdownWrite() }
        } else if !held.isEmpty, writeQueue.isEmpty {
            // Writers held back by the plaintext that waited for the handshake may go on.
            handler?.channelWritable(self)
        }
    }

    // MARK: Reading

    /// Ciphertext arrived: decrypt it and hand the plaintext to the handler.
    func receiveCiphertext(_ tls: TLSLayer, _ ciphertext: UnsafeRawBufferPointer) {
        tls.session.feed(ciphertext)
        if !tls.isEstablished {
            advanceHandshake(tls)
            guard state == .active, tls.isEstablished else { return }
        }
        deliverPlaintext(tls)
    }

    /// Decrypts into the loop's read buffer and calls ``ChannelHandler/channelRead(_:_:)`` until
    /// nothing is buffered, reads are disabled, or the peer's `close_notify` ends the input.
    func deliverPlaintext(_ tls: TLSLayer) {
        while state == .active, readEnabled, !inputClosed {
            let result: TLSSession.ReadResult
            do {
                result = try loop.readBuffer.read(from: tls.session)
            } catch {
                sendCiphertext(tls)
                close(error: error.at(endpoint))
                return
            }
            switch result {
            case .bytes(let count):
                handler?.channelRead(self, loop.readBuffer.prefix(count))
            case .needsCiphertext:
                sendCiphertext(tls)
                return
            case .closed:
                sendCiphertext(tls)
                deliverEOF()
                return
            }
        }
        if state == .active { sendCiphertext(tls) }
    }

    /// Reads were enabled again: plaintext may already be buffered in the session, which no
    /// socket readiness report would announce.
    func resumeBufferedPlaintext() {
        guard let tls, tls.isEstablished, tls.session.hasBufferedInput else { return }
        loop.execute { [self] in
            guard state == .active, readEnabled, let tls = self.tls else { return }
            deliverPlaintext(tls)
        }
    }

    /// TCP EOF on a TLS channel: during the handshake a failure; later, without `close_notify`,
    /// an unclean shutdown unless the context tolerates it (RFC 8446 §6.1).
    /// - Returns: true when the EOF was handled here (the channel closed).
    func tlsReceivedEOF(_ tls: TLSLayer) -> Bool {
        if !tls.isEstablished {
            close(error: TransportError(.tls(reason: TransportError.closedDuringTLSHandshake), endpoint: endpoint))
            return true
        }
        guard !tls.session.receivedCloseNotify, !tls.session.context.allowsUncleanShutdown else { return false }
        close(error: TransportError(.tlsUncleanShutdown, endpoint: endpoint))
        return true
    }

    // MARK: Writing

    /// Encrypts `bytes` and sends the records (held until the handshake completes).
    func encrypt(_ tls: TLSLayer, _ bytes: [UInt8]) {
        guard tls.isEstablished else { return tls.holdUntilEstablished(bytes) }
        do {
            try tls.session.writePlaintext(bytes)
        } catch {
            return failSoon(error.at(endpoint))
        }
        sendCiphertext(tls)
    }

    /// Encrypts `header` and `payload`, sharing a record.
    func encrypt(_ tls: TLSLayer, header: [UInt8], payload: [UInt8]) {
        guard tls.isEstablished else {
            tls.holdUntilEstablished(header)
            return tls.holdUntilEstablished(payload)
        }
        do {
            try tls.session.writePlaintext(header: header, payload: payload)
        } catch {
            return failSoon(error.at(endpoint))
        }
        sendCiphertext(tls)
    }

    /// Encrypts `chunks` in order; a small chunk followed by another (a frame header and its
    /// payload) shares the next one's first record instead of costing a record of its own.
    func encrypt(_ tls: TLSLayer, _ chunks: [[UInt8]]) {
        var index = chunks.startIndex
        while index < chunks.endIndex {
            let chunk = chunks[index]
            index += 1
            if chunk.count < 16 * 1024, index < chunks.endIndex {
                encrypt(tls, header: chunk, payload: chunks[index])
                index += 1
            } else if !chunk.isEmpty {
                encrypt(tls, chunk)
            }
        }
    }

    /// Sends whatever ciphertext the session produced.
    func sendCiphertext(_ tls: TLSLayer) {
        guard tls.session.pendingCiphertextCount > 0 else { return }
        let ciphertext = tls.session.takeCiphertext()
        guard state != .closed, !outputClosed, failure == nil else { return }
        send(ciphertext)
    }

    /// Queues our `close_notify` (RFC 8446 §6.1) behind the data already written.
    func sendCloseNotify(_ tls: TLSLayer) {
        guard tls.isEstablished, !tls.session.sentCloseNotify else { return }
        tls.session.shutdown()
        sendCiphertext(tls)
    }

    /// Whether a pending ``closeAfterFlush()`` or ``shutdownWrite()`` may finish once the write
    /// queue drains: not while plaintext still waits for the handshake.
    var mayFinishClosing: Bool {
        guard let tls else { return true }
        return !tls.hasPendingPlaintext
    }
}
