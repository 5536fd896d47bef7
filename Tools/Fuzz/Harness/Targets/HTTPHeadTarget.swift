import WebSocketHandshake

extension FuzzTarget {
    /// `HTTPHeadParser` and both readings of its head: a request through `HTTPRequestHead` and
    /// `ServerHandshakeRequest`, a response through `HTTPResponseHead` and
    /// `ClientHandshake.validate`.
    ///
    /// Input: limits, chunk plan (3 bytes), then the head bytes. Checks that chunking changes
    /// nothing; that every parsed header can be written back (token names, values without CR,
    /// LF or NUL) and parses to the same head; that a valid request gets a 101 a client accepts
    /// and an invalid one a response with the error's status; and that a response the client
    /// accepts names only what it offered.
    public static let httpHead = FuzzTarget(name: "http-head", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let limits = input.pick([
            HTTPHeadLimits(),
            HTTPHeadLimits(maxLineLength: 32, maxHeaderCount: 4, maxHeadSize: 256),
            HTTPHeadLimits(maxLineLength: 1, maxHeaderCount: 0, maxHeadSize: 8),
        ])
        let plan = ChunkPlan(&input)
        let stream = input.rest()
        let whole = HeadParse(limits: limits, chunks: [stream[...]])
        let chunked = HeadParse(limits: limits, chunks: plan.chunks(of: stream))
        try require(whole.head == chunked.head && whole.error == chunked.error && whole.remainder == chunked.remainder,
                    "chunking changed the parse: \(String(describing: whole.error)) vs \(String(describing: chunked.error))")
        guard let head = whole.head else { return }
        try checkWritable(head, limits: limits)
        try checkAsRequest(head)
        try checkAsResponse(head)
    }, seeds: HandshakeSeeds.head)

    /// Every parsed field is one our builders would send, and writing the head back parses to
    /// the same head.
    static func checkWritable(_ head: HTTPHead, limits: HTTPHeadLimits) throws(FuzzFailure) {
        var text = head.startLine + "\r\n"
        for (name, value) in head.headers {
            try require(HTTPHeaders.isValidFieldName(name), "parsed a header name that is not a token")
            try require(HTTPHeaders.isValidFieldValue(value), "parsed a header value we could not send")
            text += name + ": " + value + "\r\n"
        }
        let again = HeadParse(limits: HTTPHeadLimits(maxLineLength: 1 << 20, maxHeaderCount: 1 << 20, maxHeadSize: 1 << 24),
                              chunks: [Array((text + "\r\n").utf8)[...]])
        try require(again.head == head, "writing the head back changed it: \(String(describing: again.error))")
    }

    /// RFC 6455 §4.2: a valid request gets a 101 that a client with the same key accepts; an
    /// invalid one gets a response with the error's status.
    static func checkAsRequest(_ head: HTTPHead) throws(FuzzFailure) {
        let request: ServerHandshakeRequest
        do {
            request = try ServerHandshakeRequest(validating: try HTTPRequestHead(head))
        } catch {
            let response = try parseResponse(ServerHandshakeResponse.reject(error))
            try require(response.status == error.responseStatus, "rejection status \(response.status) for \(error)")
            return
        }
        let client: ClientHandshake
        let accepted: HTTPResponseHead
        do {
            accepted = try parseResponse(try ServerHandshakeResponse.accept(
                request, subprotocol: request.subprotocols.first))
            client = try ClientHandshake(host: "example.com", port: nil, isSecure: false,
                subprotocols: unique(request.subprotocols), extensions: request.extensions, key: request.key)
        } catch {
            throw FuzzFailure("a valid request cannot be answered: \(error)")
        }
        do {
            let result = try client.validate(accepted)
            try require(result.subprotocol == request.subprotocols.first, "the subprotocol changed on the way")
        } catch {
            throw FuzzFailure("a client refuses the 101 for a valid request: \(error)")
        }
    }

    /// RFC 6455 §4.1: a response the client accepts names only what it offered.
    static func checkAsResponse(_ head: HTTPHead) throws(FuzzFailure) {
        guard let response = try? HTTPResponseHead(head) else { return }
        let offered = ["chat", "superchat"]
        let offeredExtensions = [ExtensionElement(name: "permessage-deflate"), ExtensionElement(name: "x-toy")]
        let client: ClientHandshake
        do {
            client = try ClientHandshake(host: "server.example.com", port: nil, isSecure: false,
                subprotocols: offered, extensions: offeredExtensions, key: HandshakeSeeds.key)
        } catch {
            throw FuzzFailure("the fixed client handshake is invalid: \(error)")
        }
        guard let result = try? client.validate(response) else { return }
        try require(response.status == 101, "accepted status \(response.status)")
        try require(result.subprotocol.map(offered.contains) ?? true, "accepted a subprotocol we did not offer")
        try require(result.extensions.allSatisfy { element in offeredExtensions.contains { $0.name == element.name } },
                    "accepted an extension we did not offer")
    }

    static func parseResponse(_ bytes: [UInt8]) throws(FuzzFailure) -> HTTPResponseHead {
        let parse = HeadParse(limits: HTTPHeadLimits(maxLineLength: 1 << 20, maxHeaderCount: 1000, maxHeadSize: 1 << 24),
                              chunks: [bytes[...]])
        guard let head = parse.head, let response = try? HTTPResponseHead(head) else {
            throw FuzzFailure("we wrote a response that does not parse: \(String(describing: parse.error))")
        }
        return response
    }
}

/// One pass of the head parser over a list of chunks.
struct HeadParse {
    var head: HTTPHead?
    var error: HandshakeError?
    var remainder: [UInt8] = []

    init(limits: HTTPHeadLimits, chunks: [ArraySlice<UInt8>]) {
        var parser = HTTPHeadParser(limits: limits)
        for chunk in chunks {
            do {
                head = try parser.parse(chunk)
            } catch {
                self.error = error
                return
            }
        }
        remainder = parser.remainder
    }
}

/// `names` without repeats, in order: a server accepts an offer that names a subprotocol twice
/// (a list recipient need not refuse it), but a client may not offer one twice (RFC 6455 §4.1).
func unique(_ names: [String]) -> [String] {
    var seen: Set<String> = []
    return names.filter { seen.insert($0).inserted }
}
