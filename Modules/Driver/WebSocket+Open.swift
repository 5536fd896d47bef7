package import WebSocketCore
import WebSocketFraming
package import WebSocketTransport

extension WebSocket {
    /// Attaches a connected channel and waits for the opening handshake to complete.
    /// - Parameters:
    ///   - channel: the connected transport.
    ///   - timeout: what is left of the open timeout; the connection fails when it expires.
    /// - Returns: what the handshake settled.
    /// - Throws: ``WebSocketError`` when the handshake fails, times out, or the transport drops.
    package func open(on channel: Channel, timeout: Duration) async throws -> OpenInfo {
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
            }) {
                continuation.resume(throwing: Self.loopShutdownError)
            }
        }
    }
}
