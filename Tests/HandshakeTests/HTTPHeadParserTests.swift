import Testing
import WebSocketHandshake

@Suite("RFC 7230 §3 Message format: incremental head parser")
struct HTTPHeadParserTests {
    static let request = [
        "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Origin: http://example.com", "Sec-WebSocket-Protocol: chat, superchat",
        "Sec-WebSocket-Version: 13",
    ]

    @Test func parsesAHeadInOneChunk() throws {
        let parsed = try parseHead(Self.request)
        #expect(parsed.startLine == "GET /chat HTTP/1.1")
        #expect(parsed.headers.count == 7)
        #expect(parsed.headers.first("host") == "server.example.com")
        #expect(parsed.headers.map(\.name).last == "Sec-WebSocket-Version")
    }

    @Test func trimsOptionalWhitespaceAroundValues() throws {
        let parsed = try parseHead(["GET / HTTP/1.1", "A:x", "B: \t x y \t ", "C:", "D:   "])
        #expect(parsed.headers.map(\.value) == ["x", "x y", "", ""])
    }

    @Test func returnsNilUntilTheEmptyLine() throws {
        var parser = HTTPHeadParser()
        #expect(try parser.parse(bytes("GET / HTTP/1.1\r\nHost: a\r\n")) == nil)
        #expect(try parser.parse(bytes("\r")) == nil)
        #expect(!parser.isComplete)
        #expect(try parser.parse(bytes("\n")) != nil)
        #expect(parser.isComplete)
    }

    @Test func everySplitPointGivesTheSameHead() throws {
        let input = head(Self.request) + [0x81, 0x00]
        let expected = try parseHead(Self.request)
        for split in 0...input.count {
            var parser = HTTPHeadParser()
            let first = try parser.parse(input[..<split])
            let second = try parser.parse(input[split...])
            #expect((first ?? second) == expected)
            #expect(parser.remainder == [0x81, 0x00])
        }
    }

    /// Bytes after the empty line are frames (hummingbird-websocket PR #14).
    @Test func handsBackBytesAfterTheHead() throws {
        var parser = HTTPHeadParser()
        let frame: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
        let parsed = try parser.parse(head(["HTTP/1.1 101 Switching Protocols"]) + frame)
        #expect(parsed?.startLine == "HTTP/1.1 101 Switching Protocols")
        #expect(parser.remainder == frame)
        #expect(try parser.parse([0x89, 0x00]) == parsed)
        #expect(parser.takeRemainder() == frame + [0x89, 0x00])
        #expect(parser.remainder.isEmpty)
    }

    @Test func remainderIsEmptyWhenNothingFollows() throws {
        var parser = HTTPHeadParser()
        _ = try parser.parse(head(Self.request))
        #expect(parser.remainder.isEmpty)
    }

    /// 64 KiB of headers fed one byte at a time: the parser never rescans, so this is linear.
    @Test func parsesALargeHeadOneByteAtATime() throws {
        let lines = ["GET / HTTP/1.1"] + (0..<1100).map { index in
            "X-Header-" + String(index) + ": " + String(repeating: "v", count: 44)
        }
        let input = head(lines)
        #expect(input.count > 64 * 1024)
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxHeaderCount: 2000, maxHeadSize: 1 << 20))
        var parsed: HTTPHead?
        for byte in input + [0xAA] {
            if let result = try parser.parse(CollectionOfOne(byte)) { parsed = result }
        }
        #expect(parsed?.headers.count == 1100)
        #expect(parsed?.headers.first("x-header-1099") == String(repeating: "v", count: 44))
        #expect(parser.remainder == [0xAA])
    }

    /// RFC 7230 §3.5: a server "SHOULD ignore at least one empty line (CRLF) received prior to
    /// the request-line".
    @Test func skipsEmptyLinesBeforeTheStartLine() throws {
        var parser = HTTPHeadParser()
        let parsed = try parser.parse(bytes("\r\n\r\n") + head(["GET / HTTP/1.1", "Host: a"]))
        #expect(parsed?.startLine == "GET / HTTP/1.1")
    }

    @Test func keepsNonASCIIValuesAsUTF8() throws {
        let parsed = try parseHead(["GET / HTTP/1.1", "X-Name: Zoë"])
        #expect(parsed.headers.first("X-Name") == "Zoë")
    }

    @Test func failsAgainAfterAnError() {
        var parser = HTTPHeadParser()
        expectError(.obsoleteLineFolding) { try parser.parse(head(["GET / HTTP/1.1", " folded"])) }
        expectError(.obsoleteLineFolding) { try parser.parse(bytes("GET / HTTP/1.1\r\n\r\n")) }
    }
}

@Suite("RFC 7230 §3 Message format: malformed heads")
struct HTTPHeadSyntaxTests {
    /// RFC 7230 §3.5: CRLF line ends only; bare LF and bare CR are refused.
    @Test(arguments: [
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n",
        "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\r\n\r\n",
    ])
    func rejectsLineEndsOtherThanCRLF(input: String) {
        var parser = HTTPHeadParser()
        expectError(.invalidLineEnding) { try parser.parse(bytes(input)) }
    }

    /// RFC 7230 §3.2.4: obs-fold is rejected, and so is whitespace after the start line.
    @Test(arguments: [
        ["GET / HTTP/1.1", "X: a", " b"],
        ["GET / HTTP/1.1", "X: a", "\tb"],
        ["GET / HTTP/1.1", " Host: a"],
    ])
    func rejectsObsoleteLineFolding(lines: [String]) {
        expectError(.obsoleteLineFolding) { try parseHead(lines) }
    }

    /// RFC 7230 §3.2.4: "No whitespace is allowed between the header field-name and colon."
    @Test(arguments: ["Host : a", "Host\t: a", "Host  :a"])
    func rejectsWhitespaceBeforeColon(line: String) {
        expectError(.whitespaceBeforeColon) { try parseHead(["GET / HTTP/1.1", line]) }
    }

    @Test(arguments: [
        "no colon", ": empty name", "X Y: z", "X(Y): z", "é: v", "X: a\u{0}b", "X: a\u{1}",
        "X: a\u{7F}b", "X: \u{1B}[31m",
    ])
    func rejectsMalformedHeaderLines(line: String) {
        expectError(.malformedHeader) { try parseHead(["GET / HTTP/1.1", line]) }
    }

    @Test func rejectsControlCharactersInTheStartLine() {
        expectError(.malformedStartLine) { try parseHead(["GET /\u{0} HTTP/1.1"]) }
        expectError(.malformedStartLine) { try parseHead(["GET /\u{7F} HTTP/1.1"]) }
    }

    /// Other protocols sent to an HTTP port fail at their first byte, not at a CRLF that
    /// never comes: a TLS ClientHello's record header, a SOCKS5 greeting.
    @Test("Another protocol's first byte fails at once", arguments: [[0x16, 0x03, 0x01], [0x05, 0x01, 0x00]] as [[UInt8]])
    func anotherProtocolFailsAtItsFirstByte(start: [UInt8]) {
        var parser = HTTPHeadParser()
        expectError(.malformedStartLine) { try parser.parse(start.prefix(1)) }
        var late = HTTPHeadParser()
        #expect(throws: Never.self) { _ = try late.parse(bytes("GET / HT")) }
        expectError(.malformedStartLine) { try late.parse(start) }
    }

    /// The early check lets through what the start line may hold (HTAB, obs-text) and the
    /// empty lines before it, and comes before the errors the rest of the line would cause.
    @Test func theEarlyCheckKeepsWhatAStartLineMayHold() throws {
        var parser = HTTPHeadParser()
        let head = try parser.parse(bytes("\r\nHTTP/1.1 101 Switching\tProtocols \u{E9}\r\n\r\n"))
        #expect(head?.startLine == "HTTP/1.1 101 Switching\tProtocols \u{E9}")
        var emptyLines = HTTPHeadParser()
        expectError(.malformedStartLine) { try emptyLines.parse(bytes("\r\n\r\n\u{16}")) }
        var long = HTTPHeadParser(limits: HTTPHeadLimits(maxLineLength: 8, maxHeaderCount: 4, maxHeadSize: 64))
        expectError(.malformedStartLine) { try long.parse(bytes("GET \u{1}") + [UInt8](repeating: 0x41, count: 20)) }
    }

    @Test func acceptsTabsInsideValues() throws {
        #expect(try parseHead(["GET / HTTP/1.1", "X: a\tb"]).headers.first("X") == "a\tb")
    }
}

@Suite("RFC 7230 §3.2.5 Field limits")
struct HTTPHeadLimitsTests {
    @Test func defaultsAreDocumented() {
        let limits = HTTPHeadLimits()
        #expect(limits.maxLineLength == 8192)
        #expect(limits.maxHeaderCount == 100)
        #expect(limits.maxHeadSize == 16384)
    }

    @Test func startLineAtTheLimitIsAccepted() throws {
        let line = "GET /" + String(repeating: "a", count: 50 - 14) + " HTTP/1.1"
        #expect(line.utf8.count == 50)
        _ = try parseHead([line], limits: HTTPHeadLimits(maxLineLength: 50))
    }

    /// The limit trips on the first byte over it, before any CRLF arrives.
    @Test func startLineOverTheLimitFailsBeforeItsEnd() throws {
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxLineLength: 50))
        #expect(try parser.parse(bytes("GET /" + String(repeating: "a", count: 45))) == nil)
        let error = expectError(.startLineTooLong) { try parser.parse(bytes("a")) }
        #expect(error?.responseStatus == 414)
    }

    @Test func headerLineOverTheLimitFailsBeforeItsEnd() throws {
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxLineLength: 20))
        #expect(try parser.parse(bytes("GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 17))) == nil)
        let error = expectError(.headerLineTooLong) { try parser.parse(bytes("v")) }
        #expect(error?.responseStatus == 431)
    }

    @Test func headerLineAtTheLimitIsAccepted() throws {
        let line = "X: " + String(repeating: "v", count: 17)
        #expect(try parseHead(["GET / HTTP/1.1", line], limits: HTTPHeadLimits(maxLineLength: 20)).headers.count == 1)
    }

    @Test func headerCountAtTheLimitIsAccepted() throws {
        let lines = ["GET / HTTP/1.1"] + (0..<5).map { "X-" + String($0) + ": v" }
        #expect(try parseHead(lines, limits: HTTPHeadLimits(maxHeaderCount: 5)).headers.count == 5)
    }

    @Test func tooManyHeadersFails() {
        let lines = ["GET / HTTP/1.1"] + (0..<6).map { "X-" + String($0) + ": v" }
        let error = expectError(.tooManyHeaders) { try parseHead(lines, limits: HTTPHeadLimits(maxHeaderCount: 5)) }
        #expect(error?.responseStatus == 431)
    }

    @Test func headOfExactlyTheLimitIsAccepted() throws {
        let input = head(["GET / HTTP/1.1", "Host: a"])
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxHeadSize: input.count))
        #expect(try parser.parse(input + [1, 2, 3]) != nil)
        #expect(parser.remainder == [1, 2, 3])
    }

    @Test func headOverTheLimitFails() {
        let input = head(["GET / HTTP/1.1", "Host: a"])
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxHeadSize: input.count - 1))
        let error = expectError(.headTooLarge) { try parser.parse(input) }
        #expect(error?.responseStatus == 431)
    }

    @Test func headOverTheLimitFailsBeforeItsEnd() throws {
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxHeadSize: 30))
        #expect(try parser.parse(bytes("GET / HTTP/1.1\r\nX: 0123456789")) == nil)
        expectError(.headTooLarge) { try parser.parse(bytes("0123456789")) }
    }

    @Test func emptyLinesBeforeTheStartLineCount() {
        var parser = HTTPHeadParser(limits: HTTPHeadLimits(maxHeadSize: 100))
        expectError(.headTooLarge) { try parser.parse(Array(Array(repeating: bytes("\r\n"), count: 51).joined())) }
    }
}
