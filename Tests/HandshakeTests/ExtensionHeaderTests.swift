import Testing
import WebSocketHandshake

private let deflate = "permessage-deflate"

private func element(_ name: String, _ parameters: (String, String?)...) -> ExtensionElement {
    ExtensionElement(name: name, parameters: parameters.map { ExtensionParameter(name: $0.0, value: $0.1) })
}

@Suite("RFC 6455 §9.1 Sec-WebSocket-Extensions grammar")
struct ExtensionHeaderTests {
    static let valid: [([String], [ExtensionElement])] = [
        ([], []),
        ([deflate], [element(deflate)]),
        ([deflate + "; client_max_window_bits"], [element(deflate, ("client_max_window_bits", nil))]),
        ([deflate + "; client_max_window_bits=10"], [element(deflate, ("client_max_window_bits", "10"))]),
        ([deflate + "; client_max_window_bits=\"10\""], [element(deflate, ("client_max_window_bits", "10"))]),
        ([deflate + "; client_max_window_bits=\"1\\0\""], [element(deflate, ("client_max_window_bits", "10"))]),
        // Autobahn 13.7 style: several offers, most preferred first.
        ([deflate + "; client_no_context_takeover; client_max_window_bits, " + deflate
          + "; client_no_context_takeover, " + deflate],
         [element(deflate, ("client_no_context_takeover", nil), ("client_max_window_bits", nil)),
          element(deflate, ("client_no_context_takeover", nil)), element(deflate)]),
        // Two header lines form one list (RFC 7230 §3.2.2).
        ([deflate + "; server_max_window_bits=10", "x-webkit-deflate-frame"],
         [element(deflate, ("server_max_window_bits", "10")), element("x-webkit-deflate-frame")]),
        // OWS around ",", ";" and "=".
        (["  foo ;  a = 1 ;\tb\t,  bar  "], [element("foo", ("a", "1"), ("b", nil)), element("bar")]),
        // Empty list elements are ignored (RFC 7230 §7).
        ([", foo,, ,bar ,"], [element("foo"), element("bar")]),
        (["", "foo"], [element("foo")]),
        // Duplicates of elements and parameters are kept, in order.
        (["foo; a; a=1; a=\"2\", foo"], [element("foo", ("a", nil), ("a", "1"), ("a", "2")), element("foo")]),
        (["x; tok=!#$%&'*+-.^_`|~09aZ"], [element("x", ("tok", "!#$%&'*+-.^_`|~09aZ"))]),
    ]

    @Test(arguments: valid)
    func parses(values: [String], elements: [ExtensionElement]) throws {
        #expect(try ExtensionHeader.parse(values) == elements)
    }

    @Test(arguments: valid)
    func roundTripsThroughSerialize(values: [String], elements: [ExtensionElement]) throws {
        let serialized = ExtensionHeader.serialize(elements)
        #expect(try ExtensionHeader.parse(elements.isEmpty ? [] : [serialized]) == elements)
    }

    @Test(arguments: [
        [""], [","], [" , ,\t"], ["", ""], // 1#extension needs one element
        ["foo;"], ["foo; "], ["foo;;a"], [";foo"], ["foo; =1"], ["foo; a="], ["foo; a= "], ["foo; a=;b"],
        ["foo; a=\"1"], ["foo; a=\"1\\"], ["foo; a=\"\""], ["foo; a=\"1 2\""], ["foo; a=\"1,2\""],
        ["foo; a=\"\u{1}\""], ["foo; a=\"1\"2"], ["foo; a=1 2"], ["foo; a=@"], ["foo; a=1=2"],
        ["foo bar"], ["foo, bar baz"], ["foo=1"], ["(foo)"], ["foo\u{1}"], ["é"], ["foo; é"],
        ["foo", "bar;"], ["\"foo\""],
    ])
    func rejectsMalformedHeaders(values: [String]) {
        let error = expectError(.malformedExtensionHeader) { try ExtensionHeader.parse(values) }
        #expect(error?.responseStatus == 400)
    }

    @Test(arguments: [
        ([], ""),
        ([element(deflate)], "permessage-deflate"),
        ([element(deflate, ("client_max_window_bits", nil), ("server_max_window_bits", "10"))],
         "permessage-deflate; client_max_window_bits; server_max_window_bits=10"),
        ([element("a"), element("b", ("x", "1"))], "a, b; x=1"),
        ([element("a", ("x", "a b")), element("b", ("y", "q\"\\"))], "a; x=\"a b\", b; y=\"q\\\"\\\\\""),
    ])
    func serializes(elements: [ExtensionElement], header: String) {
        #expect(ExtensionHeader.serialize(elements) == header)
    }

    @Test(arguments: [
        (element(deflate, ("a", nil), ("b", "1")), true),
        (element(""), false), (element("a b"), false), (element("a", ("", nil)), false),
        (element("a", ("b", "")), false), (element("a", ("b", "1 2")), false), (element("a", ("b\r", nil)), false),
    ])
    func validatesElements(element: ExtensionElement, isValid: Bool) {
        #expect(element.isValid == isValid)
    }
}
