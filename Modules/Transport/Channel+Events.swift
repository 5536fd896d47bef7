extension Channel: Selectable {
    func handleEvent(_ event: PollEvent) {
        guard state == .active else { return }
        if event.writable && !writeQueue.isEmpty { flushQueue() }
        if event.readable && state == .active { readAvailable() }
        guard state == .active else { return }
        if event.error {
            handleError()
        } else if event.hangup {
            handleHangup()
        }
    }

    func loopWillShutDown() {
        close(error: TransportError(.eventLoopShutdown))
    }

    /// Reads until the socket is drained, EOF, an error, reads are disabled or the per-wakeup
    /// budget is spent. The handler borrows the loop's shared buffer.
    private func readAvailable() {
        var reads = 0
        while state == .active, readEnabled, !inputClosed, reads < Self.maxReadsPerWakeup {
            reads += 1
            let result: IOResult<Int>
            do {
                result = try loop.readBuffer.read(from: socket)
            } catch {
                close(error: error.at(endpoint))
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .processed(0):
                receivedEOF()
                return
            case .processed(let count):
                if let tls {
                    receiveCiphertext(tls, loop.readBuffer.prefix(count))
                } else {
                    handler?.channelRead(self, loop.readBuffer.prefix(count))
                }
                if count < ReadBuffer.size { return }  // drained; level-triggered polling reports more
            }
        }
    }

    private func receivedEOF() {
        if let tls {
            // What the session still holds comes before the FIN behind it: plaintext a paused
            // read left there, the peer's close_notify. A resumed read drains it in a task,
            // which the poll that reports the FIN can precede.
            if tls.isEstablished, tls.session.hasBufferedInput {
                deliverPlaintext(tls)
                // Closed or ended by close_notify; or paused again with records left, and then
                // the FIN, which stays readable, is reported again once reads resume.
                guard state == .active, !inputClosed, !tls.session.hasBufferedInput else { return }
            }
            if tlsReceivedEOF(tls) { return }
        }
        deliverEOF()
    }

    /// The end of the input (TCP EOF, or TLS `close_notify`): ``ChannelHandler/channelEOF(_:)``.
    func deliverEOF() {
        inputClosed = true
        updateInterest()
        if let handler {
            handler.channelEOF(self)
        } else {
            close()
        }
        // A lingering close ends here, once what is still queued (the Close frame among it)
        // is written: the peer may have half-closed and still read.
        if closesAtEOF, state == .active {
            closesAtEOF = false
            closeAfterFlush()
        }
    }

    /// `EPOLLERR`: fetch and clear the socket error, and fail with it.
    private func handleError() {
        guard let error = try? socket.pendingError() else {
            handleHangup()
            return
        }
        close(error: .system("recv", error, endpoint: endpoint))
    }

    /// `EPOLLHUP`: both directions are shut, so nothing can be written any more. After EOF the
    /// channel is finished and closes; before EOF the unread bytes still matter: with reads
    /// enabled they are read on the next reports, with reads disabled the descriptor leaves the
    /// poller (a level-triggered hang-up would otherwise be reported in a busy loop) until reads
    /// are enabled again.
    private func handleHangup() {
        if !writeQueue.isEmpty {
            flushQueue()
            guard state == .active else { return }
        }
        if inputClosed {
            close()
        } else if !readEnabled && !suspended {
            loop.suspend(registrationID, descriptor: socket.descriptor, interest: interest)
            suspended = true
        }
    }
}
