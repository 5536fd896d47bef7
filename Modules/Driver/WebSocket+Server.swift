package import WebSocketCore
package import WebSocketFraming
package import WebSocketHandshake
package import WebSocketTransport

/// Hooks the server module uses to drive the server side of the opening handshake. All run on
/// the connection's loop.
extension WebSocket {
    /// Attaches an accepted channel and drops it if the opening handshake does not complete
    /// within `timeout` (a peer that never finishes its request).
    package func attachAccepted(_ channel: Channel, handshakeTimeout timeout: Duration) {
        openTimer = loop.scheduleTask(in: timeout) { [self] in
            openTimer = nil
            guard connection.phase == .connecting || connection.phase == .awaitingUpgradeDecision else { return }
            connection.fail(ConnectionError(.openTimeout))
            pump()
            self.channel?.close()
        }
        attach(channel)
    }

    /// Accepts the pending upgrade request (RFC 6455 §4.2.2).
    package func acceptUpgrade(subprotocol: String?, headers: HTTPHeaders) {
        do {
            try connection.accept(subprotocol: subprotocol, headers: headers)
        } catch {
            connection.reject(status: 500)
        }
        pump()
    }

    /// Refuses the pending upgrade request with an HTTP status.
    package func rejectUpgrade(status: Int, headers: HTTPHeaders) {
        connection.reject(status: status, headers: headers)
        pump()
    }

    /// Answers the pending plain HTTP request; the connection closes once it is written.
    package func respondToPlainRequest(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        do {
            try connection.respond(status: status, headers: headers, body: body)
        } catch {
            connection.reject(status: 500)
        }
        pump()
    }

    /// Starts the closing handshake from the server side (e.g. 1001 on shutdown).
    package func beginClose(code: CloseCode, reason: String) {
        if connection.phase == .open {
            try? connection.close(code: code, reason: reason)
        } else if connection.phase != .closed {
            connection.fail(ConnectionError(.abnormalClosure))
        }
        pump()
    }

    /// The server's handler task returned: nothing will read this connection's messages any
    /// more, so an open connection starts its closing handshake with 1000 (as python
    /// websockets and hummingbird do). Without it, a handler that returned while the peer kept
    /// the connection open left it open until the peer closed, and with a full message queue
    /// (which stops reading) the peer's Close was never read. Any thread.
    package func handlerReturned() {
        let close: @Sendable () -> Void = { [self] in
            try? connection.close(code: .normalClosure, reason: "")  // a no-op once closing
            pump()
        }
        loop.executeHereOrEnqueue(close)
    }

    /// How a server connection that never opened ended: the status of the response that
    /// answered it (nil when none was sent), the protocol's own reason (an answered plain
    /// request, a refusal; nil when only the transport failed), and the error `connect` would
    /// report (a transport failure, such as a reset during the lingering close, first); nil
    /// for one that opened or has not ended. Loop thread.
    package var endingBeforeOpen: (status: Int?, reason: ConnectionError?, error: WebSocketError)? {
        guard openInfo == nil, let info = finalCloseInfo else { return nil }
        return (connection.answeredStatus, info.error, openError(info))
    }

    /// How the connection ended, once its transport closed (1006 when no close was seen).
    /// Loop thread.
    package var ending: CloseInfo { endingCloseInfo }

    /// Closes the transport now, whatever state the protocol is in.
    package func forceClose() {
        if connection.phase != .closed { connection.closeTimedOut() }
        pump()
        channel?.close()
    }
}
