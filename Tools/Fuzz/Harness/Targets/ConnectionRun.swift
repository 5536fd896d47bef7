import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// Drives one `Connection` through a scenario the way a driver would (feed a chunk, handle the
/// events, take the output) and checks, as it goes and at the end, that everything it reports
/// and writes is "a message, or one of the documented errors and close codes".
struct ConnectionRun {
    let scenario: ConnectionScenario
    var connection: Connection
    var peer: PeerView
    var closures: [CloseInfo] = []
    var isOpen = false
    var echoed: [Message] = []
    var pings: Set<[UInt8]> = []
    var request: ServerHandshakeRequest?
    var random: SplitMix
    /// The peer's bytes: the scenario's stream, behind a valid handshake if it asks for one.
    var stream: [UInt8]

    /// Creates the connection; a client's own request must be a valid upgrade request.
    init(_ scenario: ConnectionScenario, offering extensions: [String]) throws(FuzzFailure) {
        self.scenario = scenario
        random = SplitMix(seed: UInt64(scenario.plan.seed))
        peer = PeerView(writer: scenario.role)
        stream = scenario.stream
        switch scenario.role {
        case .server:
            connection = Connection.server(configuration: scenario.configuration, random: SeededRandom(seed: 7))
        case .client:
            do {
                connection = try Connection.client(
                    host: "server.example.com", requestTarget: "/chat", configuration: scenario.configuration,
                    random: SeededRandom(seed: 7))
            } catch {
                throw FuzzFailure("a valid client configuration was refused: \(error)")
            }
        }
        if scenario.role == .client {
            try takeOutput()
            let request = try Self.validateRequest(peer.head)
            self.request = request
            if scenario.prependsHandshake {
                stream = ConnectionScenario.response(
                    key: request.key, subprotocol: scenario.configuration.subprotocols.first,
                    extensions: extensions) + stream
            }
        } else if scenario.prependsHandshake {
            stream = ConnectionScenario.request(subprotocols: ["chat", "superchat"], extensions: extensions) + stream
        }
        if scenario.usesCredit { connection.grantMessageCredit(1) }
    }

    /// Feeds the whole stream, then EOF or a close timeout if the scenario says so.
    mutating func run() throws(FuzzFailure) {
        let chunks = scenario.plan.chunks(of: stream)
        for (index, chunk) in chunks.enumerated() {
            if scenario.blocksOutput { connection.isOutputBlocked = random.next() & 1 == 0 }
            // Every receive path: staged (generic), borrowed (straight from a raw buffer), and
            // in place (payloads unmasked where they lie and handed out borrowed).
            switch random.next() % 3 {
            case 0: connection.receive(chunk)
            case 1: chunk.withUnsafeBytes { connection.receive($0) }
            default: try receiveInPlace(Array(chunk))
            }
            try drain()
            if scenario.closesMidway && index == chunks.count / 2 {
                do {
                    try connection.close(code: .goingAway, reason: "bye")
                } catch {
                    throw FuzzFailure("close(1001) threw \(error)")
                }
                try drain()
            }
        }
        if scenario.endsWithEOF {
            connection.receiveEOF()
            try drain()
        }
        if scenario.timesOut {
            connection.closeTimedOut()
            try drain()
        }
        connection.isOutputBlocked = false
        try drain()
        try checkEnd()
    }

    /// Feeds `chunk` through `receiveBorrowing`, handling the events before each message, then
    /// the message, as a driver's synchronous handler does.
    mutating func receiveInPlace(_ chunk: [UInt8]) throws(FuzzFailure) {
        var buffer = chunk
        var failure: FuzzFailure?
        buffer.withUnsafeMutableBytes { bytes in
            var offset = 0
            repeat {
                let message = connection.receiveBorrowing(bytes, offset: &offset)
                do throws(FuzzFailure) {
                    try drain()
                    if let message { _ = try handle(.message(message.message)) }
                } catch {
                    failure = error
                    return
                }
            } while offset < bytes.count
        }
        if let failure { throw failure }
    }

    /// Handles events until none is left, taking the output unless it is blocked.
    mutating func drain() throws(FuzzFailure) {
        var progressed = true
        while progressed {
            progressed = false
            while let event = connection.nextEvent() {
                if try handle(event) { progressed = true }
            }
            if !connection.isOutputBlocked || connection.shouldCloseTransport { try takeOutput() }
        }
    }

    /// Moves the output to the peer's view; no take may hold more pongs than the cap allows.
    mutating func takeOutput() throws(FuzzFailure) {
        let pongsBefore = peer.pongs.count
        if connection.hasChunkedOutput && random.next() & 4 == 0 {
            // The gathered-write form: the same bytes, large payloads as their own arrays.
            var chunks: [[UInt8]] = []
            connection.takeOutput(into: &chunks)
            try peer.receive(Array(chunks.joined()))
            connection.recycle(writtenChunks: &chunks)  // as a driver does once they are written
        } else {
            try peer.receive(connection.takeOutput())
        }
        let cap = Swift.max(1, scenario.configuration.maxQueuedPongs)
        try require(peer.pongs.count - pongsBefore <= cap, "\(peer.pongs.count - pongsBefore) pongs in one output (cap \(cap))")
    }

    /// Checks one event and plays the application's part; returns true when it granted credit.
    mutating func handle(_ event: Event) throws(FuzzFailure) -> Bool {
        switch event {
        case .upgradeRequest(let request):
            try require(scenario.role == .server && self.request == nil, "unexpected upgrade request event")
            self.request = request
            try decide(request)
        case .plainHTTPRequest(let request):
            try require(scenario.configuration.deliversPlainHTTPRequests && self.request == nil && !isOpen,
                        "unexpected plain HTTP request event")
            try require(!request.headers.containsToken("websocket", for: "Upgrade"), "an upgrade request reported as plain")
            try answer(request)
        case .open(let info):
            try require(!isOpen && closures.isEmpty, "open reported twice or after the closure")
            isOpen = true
            if let subprotocol = info.subprotocol {
                try require(scenario.configuration.subprotocols.contains(subprotocol) || scenario.role == .server,
                            "a subprotocol we did not offer: \(subprotocol)")
            }
            try setUpPeerExtensions(info)
        case .message(let message):
            try checkMessage(message)
            if scenario.usesCredit {
                connection.grantMessageCredit(1)
                return true
            }
        case .ping(let payload):
            try require(payload.count <= 125, "a ping over 125 bytes")
            pings.insert(payload)
        case .pong(let payload):
            try require(payload.count <= 125, "a pong over 125 bytes")
        case .extensionFrame(let frame):
            try require(scenario.offersToyExtension && frame.opcode == ToyExtension.opcode,
                        "an extension frame no extension owns: \(frame.opcode)")
        case .closed(let info):
            try checkClosure(info)
            closures.append(info)
        }
        return false
    }

    private mutating func checkMessage(_ message: Message) throws(FuzzFailure) {
        try require(isOpen && closures.isEmpty, "a message outside the open phase")
        try require(message.data.count <= scenario.configuration.maxMessageSize, "a message over the limit")
        if message.kind == .text {
            try require(UTF8Validator.isValid(message.data), "a text message that is not UTF-8")
        }
        guard scenario.echoes else { return }
        do {
            try connection.send(message)
            echoed.append(message)
        } catch {
            try require(error.kind == .notOpen, "echo failed with \(error)")
        }
    }

    /// RFC 6455 §7.4: the closure's code is one a peer may send, 1005 or 1006, and a failure
    /// carries the code that ``ConnectionError/closeCode`` maps it to.
    private func checkClosure(_ info: CloseInfo) throws(FuzzFailure) {
        try require(closures.isEmpty, "closed reported twice")
        let code = info.code
        try require(code.isValidReceived || code == .noStatusReceived || code == .abnormalClosure,
                    "closed with undocumented code \(code.rawValue)")
        if let error = info.error {
            try require(!info.wasClean, "a failure reported as clean")
            try require(code == (error.closeCode ?? .internalError), "closure code \(code.rawValue) for \(error)")
        }
    }

    /// Builds the peer's side of what was negotiated, so that the peer view can decode our
    /// frames: a client accepting our response, or a server negotiating our offers.
    private mutating func setUpPeerExtensions(_ info: OpenInfo) throws(FuzzFailure) {
        guard !info.extensions.isEmpty else { return }
        let factories = scenario.configuration.extensions
        let stack: ExtensionStack?
        switch scenario.role {
        case .server:
            stack = try? ExtensionNegotiation.clientAccept(info.extensions, factories: factories)
        case .client:
            stack = try? ExtensionNegotiation.serverNegotiate(request?.extensions ?? [], factories: factories).stack
        }
        peer.extensions = stack
        for element in info.extensions {
            guard let factory = factories.first(where: { $0.name.lowercased() == element.name.lowercased() }),
                  let item = (try? factory.acceptServerResponse(element))
                      ?? (try? factory.negotiateClientOffers([element]))?.extension else { continue }
            peer.ownedBits.formUnion(item.reservedBits)
            peer.ownedOpcodes.formUnion(item.opcodes)
        }
    }
}
