public import WebSocketExtensions
public import WebSocketHandshake

extension PerMessageDeflate {
    /// Server role: accepts the first of the client's offers that is well formed (RFC 7692 §5:
    /// offers are listed "in the order of preference"; Autobahn 13.7 sends three).
    ///
    /// RFC 7692 §7: "A server MUST decline an extension negotiation offer for this extension if
    /// any of the following conditions are met": an unknown parameter, an invalid value, or a
    /// repeated parameter. A malformed offer is therefore skipped, never a reason to refuse the
    /// upgrade: the next offer is tried, and with none left the connection opens without
    /// compression. Every well-formed offer can be satisfied, including a window of 8 bits (see
    /// ``DeflateSettings/outgoingMaxWindowBits``), so no other offer is declined.
    /// - Parameter offers: the client's `permessage-deflate` offers, in its order.
    /// - Returns: the response and extension for the first well-formed offer, or `nil`.
    /// - Throws: never; the signature is the protocol's.
    public func negotiateClientOffers(_ offers: [ExtensionElement]) throws(ExtensionError) -> ExtensionAgreement? {
        for offer in offers {
            guard let parameters = try? DeflateParameters(parsing: offer, as: .offer) else { continue }
            let (response, settings) = serverAnswer(to: parameters)
            return ExtensionAgreement(
                response: response.element, extension: PerMessageDeflateExtension(settings: settings))
        }
        return nil
    }

    /// The response to a well-formed offer and the settings it yields.
    func serverAnswer(to offer: DeflateParameters) -> (response: DeflateParameters, settings: DeflateSettings) {
        var response = DeflateParameters()
        // §7.1.1.1: an offer with server_no_context_takeover is accepted only by including it;
        // a server "MAY include" it anyway.
        response.serverNoContextTakeover = offer.serverNoContextTakeover || serverNoContextTakeover
        // §7.1.1.2: the server "MAY include" client_no_context_takeover; we echo the client's
        // own hint, which costs nothing, and add it when configured.
        response.clientNoContextTakeover = offer.clientNoContextTakeover || clientNoContextTakeover
        // §7.1.2.1: accepted "with the same or smaller value as the offer"; a server "MAY
        // include" the parameter even when the offer had none.
        response.serverMaxWindowBits = Self.smaller(offer.serverMaxWindowBits, serverWindowLimit)
        switch offer.clientMaxWindowBits {
        case nil:
            // §7.1.2.2: the response "MUST NOT include" it when the offer lacks it.
            response.clientMaxWindowBits = nil
        case .supported:
            response.clientMaxWindowBits = clientWindowLimit.map { .bits($0) }
        case .bits(let offered):
            // "with a value equal to or smaller than the received value".
            response.clientMaxWindowBits = .bits(min(offered, clientWindowLimit ?? offered))
        }
        var incomingWindow = 15
        if case .bits(let bits) = response.clientMaxWindowBits { incomingWindow = bits }
        let settings = settings(
            outgoingWindowBits: response.serverMaxWindowBits ?? 15,
            outgoingNoContextTakeover: response.serverNoContextTakeover,
            incomingWindowBits: incomingWindow,
            incomingNoContextTakeover: response.clientNoContextTakeover)
        return (response, settings)
    }

    private static func smaller(_ first: Int?, _ second: Int?) -> Int? {
        guard let first else { return second }
        guard let second else { return first }
        return min(first, second)
    }
}
