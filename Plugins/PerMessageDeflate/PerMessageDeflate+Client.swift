public import WebSocketExtensions
public import WebSocketHandshake

extension PerMessageDeflate {
    /// Client role: the one offer this configuration makes (RFC 7692 §7.1), e.g.
    /// `permessage-deflate; client_max_window_bits` at the defaults.
    public func makeClientOffers() -> [ExtensionElement] {
        [clientOffer.element]
    }

    /// The parameters of our offer.
    var clientOffer: DeflateParameters {
        let clientWindow: DeflateParameters.ClientWindow? =
            offersClientMaxWindowBits ? (clientWindowLimit.map { .bits($0) } ?? .supported) : nil
        return DeflateParameters(
            serverNoContextTakeover: serverNoContextTakeover,
            clientNoContextTakeover: clientNoContextTakeover,
            serverMaxWindowBits: serverWindowLimit,
            clientMaxWindowBits: clientWindow)
    }

    /// Client role: checks the server's response against our offer and creates the extension.
    ///
    /// RFC 7692 §7: "A client MUST _Fail the WebSocket Connection_ if the peer server accepted
    /// an extension negotiation offer for this extension with an extension negotiation response
    /// meeting any of the following conditions": an unknown parameter, an invalid value, a
    /// repeated parameter, or "The client does not support the configuration that the response
    /// represents". <doc:Negotiation> lists every case.
    /// - Parameter response: the server's `permessage-deflate` element.
    /// - Returns: a ``PerMessageDeflateExtension`` with the agreed settings.
    /// - Throws: ``ExtensionError`` (`negotiationFailed`).
    public func acceptServerResponse(_ response: ExtensionElement) throws(ExtensionError) -> any WebSocketExtension {
        let parameters = try DeflateParameters(parsing: response, as: .response)
        return PerMessageDeflateExtension(settings: try clientSettings(for: parameters))
    }

    /// The settings a valid response yields, or the reason it is refused.
    func clientSettings(for response: DeflateParameters) throws(ExtensionError) -> DeflateSettings {
        let offer = clientOffer
        // §7.1.1.1: "A server accepts an extension negotiation offer that includes the
        // "server_no_context_takeover" extension parameter by including [it] in the response".
        if offer.serverNoContextTakeover && !response.serverNoContextTakeover {
            throw Self.refusal("the response lacks the server_no_context_takeover we asked for")
        }
        // §7.1.2.1: the server accepts "by including the "server_max_window_bits" extension
        // parameter in the extension negotiation response ... with the same or smaller value".
        if let offered = offer.serverMaxWindowBits {
            guard let answered = response.serverMaxWindowBits else {
                throw Self.refusal("the response lacks the server_max_window_bits we asked for")
            }
            guard answered <= offered else {
                throw Self.refusal("server_max_window_bits=\(answered) exceeds the \(offered) we asked for")
            }
        }
        var outgoingWindow = clientWindowLimit ?? 15
        if case .bits(let answered) = response.clientMaxWindowBits {
            // §7.1.2.2: "If a received extension negotiation offer doesn't have the
            // "client_max_window_bits" extension parameter, the corresponding extension
            // negotiation response to the offer MUST NOT include [it]."
            switch offer.clientMaxWindowBits {
            case nil:
                throw Self.refusal("the response sets client_max_window_bits, which we did not offer")
            case .bits(let offered) where answered > offered:
                throw Self.refusal("client_max_window_bits=\(answered) exceeds the \(offered) we offered")
            default:
                outgoingWindow = min(outgoingWindow, answered)
            }
        }
        return settings(
            outgoingWindowBits: outgoingWindow,
            // §7.1.1.2: with the parameter in the response "the client MUST NOT use context
            // takeover"; offering it was our own promise already.
            outgoingNoContextTakeover: clientNoContextTakeover || response.clientNoContextTakeover,
            incomingWindowBits: response.serverMaxWindowBits ?? 15,
            incomingNoContextTakeover: response.serverNoContextTakeover)
    }

    private static func refusal(_ message: String) -> ExtensionError {
        ExtensionError(.negotiationFailed, "permessage-deflate: \(message)")
    }
}
