public import WebSocketExtensions
public import WebSocketHandshake

/// Negotiates `x-checksum` (see ``ChecksumExtension``), an example of a complete extension
/// built on the public protocol alone. It takes no parameters.
///
/// ```swift
/// configuration.extensions = [PerMessageDeflate(), Checksum()]
/// ```
///
/// With permessage-deflate listed first, a message is compressed, then checksummed on the way
/// out; on the way in the checksum is checked first, then the message inflated (RFC 6455 §9:
/// extensions apply in the order of the server's response).
public struct Checksum: ExtensionFactory {
    /// `x-checksum`: the `x-` prefix marks a private, unregistered token (RFC 6455 §9.1 lets
    /// anyone define one; only registered names are standard).
    public static let extensionName = "x-checksum"

    /// `x-checksum`.
    public var name: String { Self.extensionName }

    /// Creates the factory.
    public init() {}

    /// Client role: offers `x-checksum`.
    public func makeClientOffers() -> [ExtensionElement] {
        [ExtensionElement(name: Self.extensionName)]
    }

    /// Client role: accepts a response without parameters.
    /// - Parameter response: the server's `x-checksum` element.
    /// - Throws: ``ExtensionError`` (`negotiationFailed`) when the response has parameters:
    ///   RFC 6455 §9.1 leaves their meaning to the extension, and this one defines none.
    public func acceptServerResponse(_ response: ExtensionElement) throws(ExtensionError) -> any WebSocketExtension {
        guard response.parameters.isEmpty else {
            throw ExtensionError(.negotiationFailed, "x-checksum takes no parameters, got \(response)")
        }
        return ChecksumExtension()
    }

    /// Server role: accepts the first offer without parameters and declines the others.
    /// - Parameter offers: the client's `x-checksum` offers.
    /// - Returns: the agreement, or `nil` when every offer has parameters.
    public func negotiateClientOffers(_ offers: [ExtensionElement]) throws(ExtensionError) -> ExtensionAgreement? {
        guard offers.contains(where: { $0.parameters.isEmpty }) else { return nil }
        return ExtensionAgreement(response: ExtensionElement(name: Self.extensionName), extension: ChecksumExtension())
    }
}
