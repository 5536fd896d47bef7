import Testing
import WebSocketHandshake

@Suite("RFC 7230 §3.2 Header fields")
struct HTTPHeadersTests {
    @Test func keepsOrderAndDuplicates() {
        var headers = HTTPHeaders()
        headers.append(name: "Set-Cookie", value: "a=1")
        headers.append(name: "Host", value: "example.com")
        headers.append(name: "set-cookie", value: "b=2")
        #expect(headers.count == 3)
        #expect(headers.map(\.name) == ["Set-Cookie", "Host", "set-cookie"])
        #expect(headers.map(\.value) == ["a=1", "example.com", "b=2"])
        #expect(headers.values(for: "SET-COOKIE") == ["a=1", "b=2"])
    }

    @Test func looksUpCaseInsensitively() {
        let headers: HTTPHeaders = ["Sec-WebSocket-Key": "k", "upgrade": "websocket"]
        #expect(headers.first("sec-websocket-key") == "k")
        #expect(headers.first("UPGRADE") == "websocket")
        #expect(headers.contains("SEC-WEBSOCKET-KEY"))
        #expect(!headers.contains("Sec-WebSocket-Keys"))
        #expect(headers.first("Origin") == nil)
        #expect(headers.values(for: "Origin").isEmpty)
    }

    @Test func dictionaryLiteralKeepsOrderAndDuplicates() {
        let headers: HTTPHeaders = ["B": "1", "A": "2", "B": "3"]
        #expect(headers.map(\.name) == ["B", "A", "B"])
        #expect(headers.values(for: "b") == ["1", "3"])
    }

    @Test func replaceOrAppendReplacesFirstInPlaceAndRemovesOthers() {
        var headers: HTTPHeaders = ["A": "1", "X": "old", "B": "2", "x": "older"]
        headers.replaceOrAppend(name: "X", value: "new")
        #expect(headers.map(\.name) == ["A", "X", "B"])
        #expect(headers.values(for: "x") == ["new"])
    }

    @Test func replaceOrAppendAppendsWhenAbsent() {
        var headers: HTTPHeaders = ["A": "1"]
        headers.replaceOrAppend(name: "B", value: "2")
        #expect(headers.map(\.name) == ["A", "B"])
    }

    @Test func removeDropsEveryMatch() {
        var headers: HTTPHeaders = ["A": "1", "b": "2", "B": "3"]
        headers.remove(name: "B")
        #expect(headers.count == 1)
        #expect(headers.isEmpty == false)
        headers.remove(name: "a")
        #expect(headers.isEmpty)
    }

    @Test func equalityIsOrderSensitive() {
        let one: HTTPHeaders = ["A": "1", "B": "2"]
        let two: HTTPHeaders = ["B": "2", "A": "1"]
        #expect(one == ["A": "1", "B": "2"])
        #expect(one != two)
        #expect(Set([one, two, one]).count == 2)
    }

    /// RFC 7230 §7 `#rule`: split on commas, trim OWS, drop empty elements.
    @Test(arguments: [
        (["Upgrade"], ["Upgrade"]),
        (["keep-alive, Upgrade"], ["keep-alive", "Upgrade"]),
        (["  keep-alive ,\tUpgrade  "], ["keep-alive", "Upgrade"]),
        ([",, a ,, b,"], ["a", "b"]),
        (["a", "b, c"], ["a", "b", "c"]),
        ([""], []),
        ([" , "], []),
        ([], []),
    ])
    func tokensSplitsLists(values: [String], tokens: [String]) {
        var headers = HTTPHeaders()
        for value in values { headers.append(name: "Connection", value: value) }
        headers.append(name: "Other", value: "x, y")
        #expect(headers.tokens(for: "connection") == tokens)
    }

    @Test func containsTokenIgnoresCase() {
        let headers: HTTPHeaders = ["Connection": "keep-alive, UPGRADE"]
        #expect(headers.containsToken("upgrade", for: "connection"))
        #expect(!headers.containsToken("close", for: "Connection"))
        #expect(!headers.containsToken("upgrade", for: "Upgrade"))
    }

    /// `field-name = token` (RFC 7230 §3.2, §3.2.6).
    @Test(arguments: [
        ("Host", true), ("Sec-WebSocket-Key", true), ("x!#$%&'*+-.^_`|~09", true),
        ("", false), ("X Y", false), ("X:Y", false), ("X\r\nY", false), ("(X)", false),
        ("X\"", false), ("é", false), ("X\u{0}", false), ("X/Y", false), ("X\tY", false),
    ])
    func validatesNames(name: String, isValid: Bool) {
        #expect(HTTPHeaders.isValidFieldName(name) == isValid)
    }

    /// `field-value` without obs-fold (RFC 7230 §3.2): no CTLs except HTAB, no edge whitespace.
    @Test(arguments: [
        ("websocket", true), ("", true), ("a b\tc", true), ("ünïcödé", true), ("\"quoted\", x=1", true),
        ("a\rb", false), ("a\nb", false), ("a\u{0}b", false), ("a\r\nInjected: 1", false),
        ("\u{1}", false), ("a\u{1B}b", false), ("a\u{7F}", false), (" lead", false),
        ("trail ", false), ("\ttab", false), ("tab\t", false),
    ])
    func validatesValues(value: String, isValid: Bool) {
        #expect(HTTPHeaders.isValidFieldValue(value) == isValid)
    }
}
