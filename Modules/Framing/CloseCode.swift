/// A close status code (RFC 6455 §7.4) from the IANA "WebSocket Close Code Number Registry".
///
/// An open struct, so that registered (3000-3999) and private (4000-4999) codes are
/// representable. ``isValidReceived`` and ``mayBeSent`` carry the RFC's rules.
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit code as sent on the wire (network byte order there).
    public let rawValue: UInt16

    /// Creates a code from any 16-bit value; check ``isValidReceived`` before trusting one.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: "a normal closure, meaning that the purpose for which the connection was
    /// established has been fulfilled."
    public static let normalClosure = CloseCode(rawValue: 1000)
    /// 1001: "an endpoint is going away, such as a server going down or a browser having
    /// navigated away from a page."
    public static let goingAway = CloseCode(rawValue: 1001)
    /// 1002: "an endpoint is terminating the connection due to a protocol error."
    public static let protocolError = CloseCode(rawValue: 1002)
    /// 1003: "it has received a type of data it cannot accept."
    public static let unsupportedData = CloseCode(rawValue: 1003)
    /// 1005: "no status code was actually present". MUST NOT be sent in a Close frame.
    public static let noStatusReceived = CloseCode(rawValue: 1005)
    /// 1006: the connection was closed abnormally, without a Close frame. MUST NOT be sent.
    public static let abnormalClosure = CloseCode(rawValue: 1006)
    /// 1007: "data within a message that was not consistent with the type of the message
    /// (e.g., non-UTF-8 data within a text message)."
    public static let invalidFramePayloadData = CloseCode(rawValue: 1007)
    /// 1008: "a message that violates its policy."
    public static let policyViolation = CloseCode(rawValue: 1008)
    /// 1009: "a message that is too big for it to process."
    public static let messageTooBig = CloseCode(rawValue: 1009)
    /// 1010: the client "expected the server to negotiate one or more extension".
    public static let mandatoryExtension = CloseCode(rawValue: 1010)
    /// 1011: the server "encountered an unexpected condition that prevented it from fulfilling
    /// the request."
    public static let internalError = CloseCode(rawValue: 1011)
    /// 1012: Service Restart (IANA registry).
    public static let serviceRestart = CloseCode(rawValue: 1012)
    /// 1013: Try Again Later (IANA registry).
    public static let tryAgainLater = CloseCode(rawValue: 1013)
    /// 1014: Bad Gateway (IANA registry).
    public static let badGateway = CloseCode(rawValue: 1014)
    /// 1015: TLS handshake failure. MUST NOT be sent in a Close frame.
    public static let tlsHandshake = CloseCode(rawValue: 1015)

    /// Whether this code may legitimately appear in a received Close frame (RFC 6455 §7.4.1,
    /// §7.4.2 and the IANA registry): 1000-1003, 1007-1014 and 3000-4999.
    ///
    /// 0-999 are "not used", 1004 is reserved, 1005/1006/1015 "MUST NOT be set as a status code
    /// in a Close control frame", 1016-2999 are reserved for future revisions, and 5000 and above
    /// are undefined.
    @inlinable public var isValidReceived: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// Whether we may send this code: the same set as ``isValidReceived``. In particular 1005,
    /// 1006 and 1015 are never sent (RFC 6455 §7.4.1: "MUST NOT be set as a status code in a
    /// Close control frame by an endpoint").
    @inlinable public var mayBeSent: Bool { isValidReceived }

    /// The registry name, e.g. `1000 (normal closure)`.
    public var description: String {
        let name: String? = switch rawValue {
        case 1000: "normal closure"
        case 1001: "going away"
        case 1002: "protocol error"
        case 1003: "unsupported data"
        case 1005: "no status received"
        case 1006: "abnormal closure"
        case 1007: "invalid frame payload data"
        case 1008: "policy violation"
        case 1009: "message too big"
        case 1010: "mandatory extension"
        case 1011: "internal error"
        case 1012: "service restart"
        case 1013: "try again later"
        case 1014: "bad gateway"
        case 1015: "TLS handshake"
        default: nil
        }
        return name.map { "\(rawValue) (\($0))" } ?? String(rawValue)
    }
}
