import WebSocketExtensions
import WebSocketHandshake

/// The four parameters of one permessage-deflate offer or response (RFC 7692 §7.1), parsed and
/// checked.
///
/// RFC 7692 §7: an element is malformed when it "contains an extension parameter not defined
/// for use in an offer [or response]", "an extension parameter with an invalid value", or
/// "multiple extension parameters with the same name". A server "MUST decline" such an offer;
/// a client "MUST _Fail the WebSocket Connection_" on such a response.
struct DeflateParameters: Hashable, Sendable {
    /// `client_max_window_bits` as it may appear: with no value (offers only) or with one.
    enum ClientWindow: Hashable, Sendable {
        /// Present without a value: "the client supports" a limit the server may set.
        case supported
        /// Present with a value, 8 through 15.
        case bits(Int)
    }

    /// Whether the element is an offer (client to server) or a response.
    enum Kind {
        case offer
        case response
    }

    /// `server_no_context_takeover` (§7.1.1.1).
    var serverNoContextTakeover = false
    /// `client_no_context_takeover` (§7.1.1.2).
    var clientNoContextTakeover = false
    /// `server_max_window_bits` (§7.1.2.1): always with a value.
    var serverMaxWindowBits: Int?
    /// `client_max_window_bits` (§7.1.2.2).
    var clientMaxWindowBits: ClientWindow?

    /// The parameter names of RFC 7692 §7.1, in the order we write them.
    static let serverNoContextTakeoverName = "server_no_context_takeover"
    static let clientNoContextTakeoverName = "client_no_context_takeover"
    static let serverMaxWindowBitsName = "server_max_window_bits"
    static let clientMaxWindowBitsName = "client_max_window_bits"

    /// Creates parameters from values.
    init(
        serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int? = nil, clientMaxWindowBits: ClientWindow? = nil
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// Parses an element's parameters.
    /// - Parameters:
    ///   - element: a `permessage-deflate` element.
    ///   - kind: offer or response: only an offer may carry `client_max_window_bits` without a
    ///     value (§7.1.2.2).
    /// - Throws: ``ExtensionError`` (`negotiationFailed`) naming the first problem.
    init(parsing element: ExtensionElement, as kind: Kind) throws(ExtensionError) {
        var seen: Set<String> = []
        for parameter in element.parameters {
            let name = parameter.name.lowercased()
            guard seen.insert(name).inserted else {
                throw Self.failure("\(parameter.name) appears twice")
            }
            switch name {
            case Self.serverNoContextTakeoverName:
                try Self.requireNoValue(parameter)
                serverNoContextTakeover = true
            case Self.clientNoContextTakeoverName:
                try Self.requireNoValue(parameter)
                clientNoContextTakeover = true
            case Self.serverMaxWindowBitsName:
                serverMaxWindowBits = try Self.windowBits(parameter)
            case Self.clientMaxWindowBitsName:
                if parameter.value == nil && kind == .offer {
                    clientMaxWindowBits = .supported
                } else {
                    clientMaxWindowBits = .bits(try Self.windowBits(parameter))
                }
            default:
                throw Self.failure("unknown parameter \(parameter.name)")
            }
        }
    }

    /// The element that carries these parameters, in RFC 7692 §7.1 order.
    var element: ExtensionElement {
        var parameters: [ExtensionParameter] = []
        if serverNoContextTakeover { parameters.append(ExtensionParameter(name: Self.serverNoContextTakeoverName)) }
        if clientNoContextTakeover { parameters.append(ExtensionParameter(name: Self.clientNoContextTakeoverName)) }
        if let bits = serverMaxWindowBits {
            parameters.append(ExtensionParameter(name: Self.serverMaxWindowBitsName, value: String(bits)))
        }
        switch clientMaxWindowBits {
        case .supported: parameters.append(ExtensionParameter(name: Self.clientMaxWindowBitsName))
        case .bits(let bits): parameters.append(ExtensionParameter(name: Self.clientMaxWindowBitsName, value: String(bits)))
        case nil: break
        }
        return ExtensionElement(name: PerMessageDeflate.extensionName, parameters: parameters)
    }

    /// The `*_no_context_takeover` parameters have no value (§7.1.1).
    private static func requireNoValue(_ parameter: ExtensionParameter) throws(ExtensionError) {
        guard parameter.value == nil else {
            throw failure("\(parameter.name) takes no value, got \"\(parameter.value ?? "")\"")
        }
    }

    /// §7.1.2.1: "a decimal integer value without leading zeroes between 8 to 15, inclusive":
    /// `server-max-window-bits = 1*DIGIT` further limited to these. A quoted value has been
    /// unescaped by the header parser already (`"10"` is `10`).
    private static func windowBits(_ parameter: ExtensionParameter) throws(ExtensionError) -> Int {
        guard let value = parameter.value else {
            throw failure("\(parameter.name) needs a value")
        }
        guard let bits = Int(value), (8...15).contains(bits), String(bits) == value else {
            throw failure("\(parameter.name)=\(value) is not 8 through 15")
        }
        return bits
    }

    private static func failure(_ message: String) -> ExtensionError {
        ExtensionError(.negotiationFailed, "permessage-deflate: \(message)")
    }
}
