/// A TLS protocol version, for ``TLSConfiguration/minimumVersion`` and
/// ``TLSServerConfiguration/minimumVersion``.
///
/// SSL 3.0, TLS 1.0 and TLS 1.1 are not offered: RFC 8996 deprecates them ("MUST NOT be used").
public enum TLSVersion: Int, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// TLS 1.2 (RFC 5246).
    case v1_2 = 0x0303
    /// TLS 1.3 (RFC 8446).
    case v1_3 = 0x0304

    /// "TLS 1.2" or "TLS 1.3".
    public var description: String {
        switch self {
        case .v1_2: "TLS 1.2"
        case .v1_3: "TLS 1.3"
        }
    }

    /// Orders by protocol version.
    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}
