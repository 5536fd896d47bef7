package import WebSocketCore
import WebSocketFraming
package import WebSocketTransport

extension WebSocket {
    /// Attaches a connected channel and waits for the opening handshake to complete.
    /// - Parameters:
    ///   - channel: the connected transport.
    ///   - timeout: what is left of the open timeout; the connection fails when it expires.
    /// - Returns: what the handshake settled.
    /// - Throws: ``WebSocketError`` when the handshake fails, times out, or the transport drops;
    ///   `.transport(.cancelled)` when the calling task is cancelled first (the connection is
    ///   dropped).
    package func open(on channel: Channel, timeout: Duration) async throws -> OpenInfo {
        try await withTaskCancellationHandler {
            try await waitForOpen(on: channel, timeout: timeout)
        } onCancel: { [self] in
            loop.execute { [self] in abandonOpen() }
        }
    }

    private func waitForOpen(on channel: Channel, timeout: Duration) async throws -> OpenInfo {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<OpenInfo, any Error>) in
            submit({ [self] in
                // The transport may already be gone: between the connect and this task, the peer
                // can close (a 503 before our request, a TLS 1.3 alert right after the
                // handshake), and then no later event would resume the waiter.
                if isTransportClosed, let info = finalCloseInfo {
                    return continuation.resume(throwing: openError(info))
                }
                openWaiter = continuation
                openTimer = loop.scheduleTask(in: max(timeout, .zero)) { [self] in
                    openTimer = nil
                    connection.fail(ConnectionError(.openTimeout))
                    pump()
                    self.channel?.close()
                }
                attach(channel)
                // Cancelled before this task reached the loop.
                if isOpenCancelled { abandonOpen() }
            }) {
                continuation.resume(throwing: Self.loopShutdownError)
            }
        }
    }

    /// The task waiting for the opening handshake was cancelled: the connection is dropped and
    /// the wait ends with `.transport(.cancelled)`. Nothing happens once the handshake is over.
    /// Loop thread.
    private func abandonOpen() {
        isOpenCancelled = true
        guard openWaiter != nil, let channel else { return }
        transportError = transportError ?? TransportError(.cancelled, endpoint: channel.remoteAddress?.description)
        channel.close()
    }
}
