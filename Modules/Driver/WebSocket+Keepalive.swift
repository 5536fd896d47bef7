import WebSocketCore
import WebSocketFraming
import WebSocketTransport

extension WebSocket {
    /// Starts keepalive pings once the connection is open.
    func startKeepalive() {
        guard let interval = configuration.pingInterval else { return }
        pingTimer = loop.scheduleTask(in: interval) { [self] in keepaliveTimerFired() }
    }

    func stopKeepalive() {
        pingTimer?.cancel()
        pingTimer = nil
        pongDeadline?.cancel()
        pongDeadline = nil
    }

    /// Sends a ping and fails the connection with 1011 if no pong comes back in time.
    private func keepaliveTimerFired() {
        pingTimer = nil
        guard connection.phase == .open else { return }
        try? sendKeepalivePing()
        pump()
        if pongDeadline == nil {
            pongDeadline = loop.scheduleTask(in: configuration.pingTimeout) { [self] in
                pongDeadline = nil
                connection.fail(ConnectionError(.keepaliveTimeout))
                pump()
            }
        }
        startKeepalive()
    }
}
