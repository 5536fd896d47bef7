import WebSocketExtensions
import WebSocketHandshake
import WebSocketTestSupport

extension FuzzTarget {
    /// The `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1, RFC 7230 §3.2.6, §7) and the
    /// negotiation over it.
    ///
    /// Input: the field values, separated by LF. Checks that what parses is valid, serializes,
    /// and parses back to the same elements, and that both negotiation directions take any
    /// parsed list without trapping.
    public static let extensionHeader = FuzzTarget(name: "extension-header", run: { bytes throws(FuzzFailure) in
        let values = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard let elements = try? ExtensionHeader.parse(values) else { return }
        try require(!elements.isEmpty, "an empty extension list parsed")
        try require(elements.allSatisfy(\.isValid), "parsed an element that is not valid")
        let serialized = ExtensionHeader.serialize(elements)
        try require(HTTPHeaders.isValidFieldValue(serialized), "serialized elements are not a valid field value")
        let again: [ExtensionElement]
        do {
            again = try ExtensionHeader.parse([serialized])
        } catch {
            throw FuzzFailure("serialized elements do not parse: \(error)")
        }
        try require(again == elements, "serialize/parse round trip changed the elements")
        let factories = negotiationFactories
        _ = try? ExtensionNegotiation.serverNegotiate(elements, factories: factories)
        _ = try? ExtensionNegotiation.clientAccept(elements, factories: factories)
    }, seeds: HandshakeSeeds.extensions)
}
