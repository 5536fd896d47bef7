/// One `extension = extension-token *( ";" extension-param )` of a `Sec-WebSocket-Extensions`
/// list (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`. Parameters keep
/// their order and duplicates; judging them is the extension's job.
public struct ExtensionElement: Hashable, Sendable, CustomStringConvertible {
    /// The extension name, a registered token (RFC 6455 §9.1, §11.4).
    public var name: String

    /// The parameters, in order, duplicates kept.
    public var parameters: [ExtensionParameter]

    /// Creates an element.
    ///
    /// - Parameters:
    ///   - name: The extension name, a token.
    ///   - parameters: The parameters, in order.
    public init(name: String, parameters: [ExtensionParameter] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// Whether the name, parameter names and values are tokens, as RFC 6455 §9.1 requires.
    public var isValid: Bool {
        HTTPGrammar.isToken(name) && parameters.allSatisfy(\.isValid)
    }

    /// The element as it appears in the header: `name; p; q=v`.
    public var description: String {
        ([name] + parameters.map(\.description)).joined(separator: "; ")
    }
}
