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
        // Only factories that offered something: one configured but with no offer did not
        // put the extension in the client's handshake.
        let offering = factories.filter { !$0.makeClientOffers().isEmpty }
        for element in response {
            let name = element.name.lowercased()
            let offered = offering.filter { $0.name.lowercased() == name }
            guard !offered.isEmpty else {
                throw ExtensionError(.negotiationFailed, "the server chose \(element.name), which was not offered")
            }
            guard seen.insert(name).inserted else {
                throw ExtensionError(.negotiationFailed, "the server chose \(element.name) twice")
            }
            accepted.append(try acceptResponse(element, offeredBy: offered))
        }
        return try ExtensionStack(accepted)
    }

    /// The extension for a response element that several offers of its name may have asked for
    /// (RFC 7692 §5: "This set of elements MAY include multiple PMCEs with the same extension name
    /// to offer the possibility to use the same algorithm with different configuration parameters"):
    /// the first offer, in order, whose factory accepts the response; the first refusal otherwise.
    private static func acceptResponse(
        _ element: ExtensionElement, offeredBy factories: [any ExtensionFactory]
    ) throws(ExtensionError) -> any WebSocketExtension {
        var firstRefusal: ExtensionError?
        for factory in factories {
            do throws(ExtensionError) {
                return try factory.acceptServerResponse(element)
            } catch {
                firstRefusal = firstRefusal ?? error
            }
        }
        throw firstRefusal ?? ExtensionError(.negotiationFailed, "no offer of \(element.name) accepts the response")
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
    /// accepted (same reserved bit or opcode), or whose name was already accepted (two
    /// configured factories of one extension: the first that agrees wins), is skipped.
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
        var acceptedNames: Set<String> = []
        for factory in factories {
            let name = factory.name.lowercased()
            guard !acceptedNames.contains(name) else { continue }
            let matching = offers.filter { $0.name.lowercased() == name }
            guard !matching.isEmpty,
                  let agreement = try factory.negotiateClientOffers(matching) else { continue }
            guard let grown = try? ExtensionStack(accepted + [agreement.extension]) else { continue }
            accepted.append(agreement.extension)
            response.append(agreement.response)
            acceptedNames.insert(name)
            stack = grown
        }
        return ServerResult(response: response, stack: stack)
    }
}
