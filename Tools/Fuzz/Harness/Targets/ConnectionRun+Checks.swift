import WebSocketCore
import WebSocketFraming
import WebSocketHandshake

extension ConnectionRun {
    /// The server application's answer, including attempts to inject header lines, which must be
    /// refused before anything is written.
    mutating func decide(_ request: ServerHandshakeRequest) throws(FuzzFailure) {
        let injected: HTTPHeaders = ["X-Evil": "a\r\nInjected: yes", "X-Nul": "a\u{0}b", "X-Fine": "ok"]
        switch scenario.decision {
        case .accept, .acceptFirstOffered:
            let subprotocol = scenario.decision == .accept ? nil : request.subprotocols.first
            do {
                try connection.accept(subprotocol: subprotocol)
            } catch {
                throw FuzzFailure("accepting a valid request threw \(error)")
            }
        case .reject:
            connection.reject(status: scenario.rejectStatus)
        case .acceptWithInjectedHeader:
            let refusal: ConnectionError?
            do {
                try connection.accept(headers: injected)
                refusal = nil
            } catch {
                refusal = error
            }
            guard let refusal else {
                // Only a failed extension negotiation (400) returns without throwing.
                return try require(connection.phase == .closed, "accept wrote a header with CR LF or NUL")
            }
            guard case .handshake(let cause) = refusal.kind, case .invalidHeaderValue = cause.kind else {
                throw FuzzFailure("an injected header was refused with \(refusal)")
            }
            try require(connection.phase == .awaitingUpgradeDecision, "a refused accept changed the connection")
            connection.reject(status: 500)
        case .rejectWithInjectedHeader:
            connection.reject(status: scenario.rejectStatus, headers: injected)
        }
    }

    /// The server application's answer to a plain HTTP request, with the same attempts to
    /// inject header lines; either answer ends the connection.
    mutating func answer(_ request: PlainHTTPRequest) throws(FuzzFailure) {
        let injected: HTTPHeaders = ["X-Evil": "a\r\nInjected: yes", "X-Nul": "a\u{0}b", "X-Fine": "ok"]
        switch scenario.decision {
        case .reject:
            connection.reject(status: scenario.rejectStatus)
        case .accept, .acceptFirstOffered, .acceptWithInjectedHeader, .rejectWithInjectedHeader:
            let headers = scenario.decision == .accept || scenario.decision == .acceptFirstOffered ? HTTPHeaders() : injected
            let accepted: Bool
            do {
                try connection.accept()
                accepted = true
            } catch {
                accepted = false
            }
            try require(!accepted && connection.phase == .awaitingUpgradeDecision, "accept took a plain HTTP request")
            do {
                try connection.respond(status: scenario.rejectStatus, headers: headers, body: Array(request.path.utf8))
            } catch {
                throw FuzzFailure("responding to a plain request threw \(error)")
            }
        }
        try require(connection.phase == .closed && connection.shouldCloseTransport,
                    "answering a plain request left the connection \(connection.phase)")
    }

    /// The client's own upgrade request, as a server would validate it.
    static func validateRequest(_ head: HTTPHead?) throws(FuzzFailure) -> ServerHandshakeRequest {
        guard let head else { throw FuzzFailure("the client wrote no complete request head") }
        do {
            return try ServerHandshakeRequest(validating: try HTTPRequestHead(head))
        } catch {
            throw FuzzFailure("the client's request does not validate: \(error)")
        }
    }

    /// The end state: one closure at most, reported iff closed; EOF and timeouts close; the bytes
    /// written are a valid handshake and frames, end where they must, and echo what was echoed.
    func checkEnd() throws(FuzzFailure) {
        try require(closures.count == (connection.phase == .closed ? 1 : 0), "closure reported \(closures.count) times in phase \(connection.phase)")
        if let info = closures.first { try require(connection.closeInfo == info, "closeInfo differs from the event") }
        if scenario.endsWithEOF || scenario.timesOut {
            try require(connection.phase == .closed && connection.shouldCloseTransport, "EOF or timeout left the connection \(connection.phase)")
        }
        try require(peer.trailingCount == 0, "bytes written after the close frame or the rejection body")
        try require(!(peer.head?.headers.contains("Injected") ?? false) && !(peer.head?.headers.contains("X-Nul") ?? false),
                    "an injected header was written")
        if scenario.echoes {
            try require(peer.messages.count == echoed.count, "\(peer.messages.count) messages written, \(echoed.count) echoed")
            for (written, sent) in zip(peer.messages, echoed) where written != nil {
                try require(written == sent, "an echoed message changed on the wire")
            }
        }
        for pong in peer.pongs { try require(pings.contains(pong), "a pong for no ping") }
        if scenario.role == .server { try checkServerResponse() }
        try checkCloseFrame()
    }

    /// A server's response: 101 that a client with the request's key accepts, or a rejection
    /// with the status of the failure.
    private func checkServerResponse() throws(FuzzFailure) {
        guard let head = peer.head else {
            // RFC 7230 §3.2.5, RFC 6455 §4.2.1: a refused request gets an HTTP error response.
            if case .handshake(let cause)? = closures.first?.error?.kind {
                throw FuzzFailure("a failed handshake closed without an HTTP response: \(cause)")
            }
            return
        }
        let response: HTTPResponseHead
        do {
            response = try HTTPResponseHead(head)
        } catch {
            throw FuzzFailure("the server wrote a malformed status line: \(error)")
        }
        if response.status == 101 {
            guard let request else { throw FuzzFailure("101 without a request") }
            do {
                let client = try ClientHandshake(host: "server.example.com", port: nil, isSecure: false,
                    subprotocols: unique(request.subprotocols), extensions: request.extensions, key: request.key)
                _ = try client.validate(response)
            } catch {
                throw FuzzFailure("a client refuses the server's 101: \(error)")
            }
        } else if case .handshake(let cause)? = closures.first?.error?.kind {
            try require(response.status == cause.kind.responseStatus, "status \(response.status) for \(cause)")
        } else {
            try require((200...599).contains(response.status) && response.status != 101, "status \(response.status)")
        }
    }

    /// Our close frame carries the closure's code: the peer's, echoed, or our failure's.
    private func checkCloseFrame() throws(FuzzFailure) {
        guard !scenario.closesMidway, let payload = peer.closePayload, let info = closures.first else { return }
        let sent: UInt16? = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
        if info.wasClean {
            try require(sent == (info.code == .noStatusReceived ? nil : info.code.rawValue), "echoed close code differs")
        } else if info.code.mayBeSent {
            try require(sent == info.code.rawValue, "failure \(info.code.rawValue) sent as \(String(describing: sent))")
        }
    }
}
