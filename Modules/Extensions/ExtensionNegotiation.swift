public import WebSocketHandshake

/// Runs extension negotiation over several factories for either role (RFC 6455 §9.1).
public enum ExtensionNegotiation {
    /// Client role: every factory's offers, in configuration order, for `Sec-WebSocket-Extensions`.
    /// - Parameter factories: the configured extensions.
    public static func clientOffers(_ factories: [any ExtensionFactory]) -> [ExtensionElement] {
        factories.flatMap { $0.makeClientOffers() }
    }

    /// Client role: validates the server's `Sec-WebSocket-Extensions` and builds the stack.
    ///
    /// RFC 6455 §4.1: "The use of an extension that was not present in the client's handshake
    /// ... MUST _Fail the WebSocket Connection_". Each extension may appear once; the order of
    /// the response is the order the extensions apply (§9.1).
    /// - Parameters:
    ///   - response: the server's parsed elements, in order.
    ///   - factories: the configured extensions.
    /// - Throws: ``ExtensionError`` (`negotiationFailed`) for an unknown, repeated, invalid or
    ///   conflicting extension.
    public static func clientAccept(
        _ response: [ExtensionElement], factories: [any ExtensionFactory]
    ) throws(ExtensionError) -> ExtensionStack {
        var accepted: [any WebSocketExtension] = []
        var seen: Set<String> = []
        for element in response {
            let name = element.name.lowercased()
            guard let factory = factories.first(where: { $0.name.lowercased() == name }) else {
                throw ExtensionError(.negotiationFailed, "the server chose \(element.name), which was not offered")
            }
            guard seen.insert(name).inserted else {
                throw ExtensionError(.negotiationFailed, "the server chose \(element.name) twice")
            }
            accepted.append(try factory.acceptServerResponse(element))
        }
        return try ExtensionStack(accepted)
    }

    /// The outcome of server-side negotiation.
    public struct ServerResult: Sendable {
        /// The elements to answer with, in order; empty means no `Sec-WebSocket-Extensions`
        /// header at all (an empty header breaks some browsers).
        public var response: [ExtensionElement]
        /// The stack to use on the connection.
        public var stack: ExtensionStack
    }

    /// Server role: lets each factory, in the server's order of preference, pick among the
    /// client's offers of its name. A factory whose extension would clash with one already
    /// accepted (same reserved bit or opcode) is skipped.
    /// - Parameters:
    ///   - offers: the client's parsed offers, in order.
    ///   - factories: the server's extensions, most preferred first.
    /// - Throws: ``ExtensionError`` when an offer is malformed; the server rejects the request.
    public static func serverNegotiate(
        _ offers: [ExtensionElement], factories: [any ExtensionFactory]
    ) throws(ExtensionError) -> ServerResult {
        var response: [ExtensionElement] = []
        var accepted: [any WebSocketExtension] = []
        var stack = ExtensionStack()
        for factory in factories {
            let name = factory.name.lowercased()
            let matching = offers.filter { $0.name.lowercased() == name }
            guard !matching.isEmpty,
                  let agreement = try factory.negotiateClientOffers(matching) else { continue }
            guard let grown = try? ExtensionStack(accepted + [agreement.extension]) else { continue }
            accepted.append(agreement.extension)
            response.append(agreement.response)
            stack = grown
        }
        return ServerResult(response: response, stack: stack)
    }
}
