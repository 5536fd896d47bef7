/// An incremental HTTP/1.1 head parser (RFC 7230 §3): feed it bytes as they arrive; it returns
/// the head once the empty line that ends it has arrived.
///
/// - Linear time however the input is split: each byte is examined once, and only the current
///   line is buffered; completed lines are parsed and dropped.
/// - Limits (``HTTPHeadLimits``) are checked per byte, so an over-long line fails as soon as
///   it exceeds the limit, before its CRLF arrives.
/// - Lines must end in CRLF. A bare LF is rejected, although RFC 7230 §3.5 says a recipient
///   "MAY recognize a single LF as a line terminator": browsers and servers send CRLF,
///   python-websockets rejects bare LF too, and one terminator avoids disagreeing with an
///   intermediary about where a header ends. A bare CR is rejected (RFC 7230 §3.5).
/// - Empty lines before the start line are skipped (RFC 7230 §3.5: a server "SHOULD ignore at
///   least one empty line (CRLF) received prior to the request-line"); they count towards
///   ``HTTPHeadLimits/maxHeadSize``.
/// - Bytes after the empty line are not part of the head: they are WebSocket frames (or the
///   start of them) and are kept in ``remainder`` for the frame parser.
/// - Header bytes outside ASCII (`obs-text`) are decoded as UTF-8, invalid sequences becoming
///   U+FFFD; every field the handshake reads is ASCII.
/// - A control character in the start line fails at its byte (``HandshakeError/Kind/malformedStartLine``,
///   400), so another protocol's greeting sent to an HTTP port is answered at once; it comes
///   before the errors the rest of the line would have caused (414 for a line over the limit,
///   431 for a head over its size, a bare CR or LF), which need that line to go on.
/// - After an error every later call throws the same error.
public struct HTTPHeadParser: Sendable {
    /// The limits in force.
    public let limits: HTTPHeadLimits

    /// Bytes received after the end of the head: frame data to hand to the frame parser
    /// (hummingbird-websocket PR #14, "Forward left over bytes"). Empty until the head is
    /// complete; input fed after completion is appended here.
    public var remainder: [UInt8] = []

    private var line: [UInt8] = []
    private var consumed = 0
    private var startLine: String?
    private var headers = HTTPHeaders()
    private var head: HTTPHead?
    private var failure: HandshakeError?

    /// Creates a parser.
    ///
    /// - Parameter limits: The size limits (RFC 7230 §3.2.5).
    public init(limits: HTTPHeadLimits = .init()) {
        self.limits = limits
    }

    /// Whether the head is complete.
    public var isComplete: Bool { head != nil }

    /// Feeds bytes.
    ///
    /// - Parameter bytes: The next bytes from the peer; may be any size, even one byte.
    /// - Returns: The head once its terminating empty line has arrived, otherwise `nil`. After
    ///   completion, further calls append to ``remainder`` and return the same head.
    /// - Throws: ``HandshakeError`` for a limit exceeded or malformed syntax (RFC 7230 §3).
    public mutating func parse<C: Collection>(_ bytes: C) throws(HandshakeError) -> HTTPHead?
    where C.Element == UInt8 {
        if let failure { throw failure }
        if let head {
            remainder.append(contentsOf: bytes)
            return head
        }
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            do {
                guard try consume(byte) else { continue }
            } catch {
                failure = error
                throw error
            }
            remainder.append(contentsOf: bytes[index...])
            return head
        }
        return nil
    }

    /// Takes the bytes after the head out of ``remainder``.
    ///
    /// - Returns: The bytes; ``remainder`` is empty afterwards.
    public mutating func takeRemainder() -> [UInt8] {
        defer { remainder = [] }
        return remainder
    }

    /// Consumes one byte; returns whether the head is now complete.
    private mutating func consume(_ byte: UInt8) throws(HandshakeError) -> Bool {
        consumed += 1
        if byte == HTTPGrammar.lf {
            try checkHeadSize()
            return try endLine()
        }
        if line.last == HTTPGrammar.cr {
            throw HandshakeError(.invalidLineEnding, message: "bare CR in the head (RFC 7230 §3.5)")
        }
        if byte != HTTPGrammar.cr && line.count >= limits.maxLineLength {
            throw HandshakeError(startLine == nil ? .startLineTooLong : .headerLineTooLong)
        }
        if startLine == nil && byte != HTTPGrammar.cr && !HTTPGrammar.isFieldCharacter(byte) {
            // The start line must be free of control characters (RFC 7230 §3.1). Checked per
            // byte, not once the line ends: a TLS ClientHello (0x16) or a SOCKS greeting (0x05)
            // sent to a plain port is answered at its first byte, instead of once the open
            // timeout ends a wait for a CRLF that never comes.
            throw HandshakeError(.malformedStartLine, message: "control character in the start line")
        }
        try checkHeadSize()
        line.append(byte)
        return false
    }

    /// Every byte of the head, the final LF included, counts towards `maxHeadSize`.
    private func checkHeadSize() throws(HandshakeError) {
        if consumed > limits.maxHeadSize { throw HandshakeError(.headTooLarge) }
    }

    /// Ends the current line at an LF; returns whether it was the final empty line.
    private mutating func endLine() throws(HandshakeError) -> Bool {
        guard line.last == HTTPGrammar.cr else {
            throw HandshakeError(.invalidLineEnding, message: "bare LF line ending (RFC 7230 §3.5)")
        }
        line.removeLast()
        defer { line.removeAll(keepingCapacity: true) }
        return try finishLine()
    }

    /// Handles a complete line (CRLF removed); returns whether it was the final empty line.
    private mutating func finishLine() throws(HandshakeError) -> Bool {
        guard let startLine else {
            // RFC 7230 §3.5: "SHOULD ignore at least one empty line (CRLF) received prior to
            // the request-line".
            if !line.isEmpty { self.startLine = Self.parseStartLine(line) }
            return false
        }
        guard !line.isEmpty else {
            head = HTTPHead(startLine: startLine, headers: headers)
            return true
        }
        guard headers.count < limits.maxHeaderCount else { throw HandshakeError(.tooManyHeaders) }
        let (name, value) = try Self.parseField(line)
        headers.append(name: name, value: value)
        return false
    }

    /// The start line, whose bytes ``consume(_:)`` checked for control characters as they came
    /// (RFC 7230 §3.1); `HTTPRequestHead` and `HTTPResponseHead` check its structure.
    private static func parseStartLine(_ line: [UInt8]) -> String {
        String(decoding: line, as: UTF8.self)
    }

    /// Parses `header-field = field-name ":" OWS field-value OWS` (RFC 7230 §3.2).
    private static func parseField(_ line: [UInt8]) throws(HandshakeError) -> (String, String) {
        if let first = line.first, HTTPGrammar.isWhitespace(first) {
            // RFC 7230 §3.2.4: "A server that receives an obs-fold in a request message ...
            // MUST either reject the message ... or replace each received obs-fold with one or
            // more SP octets". We reject; this also covers whitespace after the start line
            // (RFC 7230 §3: "MUST either reject the message as invalid or consume each
            // whitespace-preceded line without further processing").
            throw HandshakeError(.obsoleteLineFolding)
        }
        guard let colon = line.firstIndex(of: HTTPGrammar.colon) else {
            throw HandshakeError(.malformedHeader, message: "header line without a colon (RFC 7230 §3.2)")
        }
        let name = line[..<colon]
        if let last = name.last, HTTPGrammar.isWhitespace(last) {
            // RFC 7230 §3.2.4: "No whitespace is allowed between the header field-name and
            // colon. ... A server MUST reject any received request message that contains
            // whitespace between a header field-name and colon with a response code of 400".
            throw HandshakeError(.whitespaceBeforeColon)
        }
        guard HTTPGrammar.isToken(name) else {
            throw HandshakeError(.malformedHeader, message: "header name is not a token (RFC 7230 §3.2)")
        }
        let value = HTTPGrammar.trimmingWhitespace(line[(colon + 1)...])
        let nameString = String(decoding: name, as: UTF8.self)
        guard value.allSatisfy(HTTPGrammar.isFieldCharacter) else {
            throw HandshakeError(.malformedHeader,
                message: "control character in the value of " + HandshakeError.quoted(nameString))
        }
        return (nameString, String(decoding: value, as: UTF8.self))
    }
}
