/// The PROXY protocol header (HAProxy's "PROXY protocol" specification, versions 1 and 2)
/// that a TCP load balancer (HAProxy `send-proxy`, AWS NLB, nginx `proxy_protocol`) writes
/// before the client's bytes, to tell the server whom it is relaying.
///
/// Sans-I/O: ``parse(_:)`` reads the bytes received so far. The specification's rules that
/// matter to a receiver: a header is read whole before anything else and is never guessed at
/// ("the receiver MUST be configured to only receive the protocol described in this
/// specification"), a version 1 line is at most 107 bytes with its CRLF, and a version 2
/// header is a 16-byte block followed by as many bytes as it announces.
public struct ProxyHeader: Hashable, Sendable {
    /// The client the proxy relays; nil when the header does not name one (v1 `UNKNOWN`, v2
    /// `LOCAL` — the proxy's own health check — or a family other than TCP over IPv4 or IPv6),
    /// in which case the connection's own peer stands.
    public var source: SocketAddress?
    /// The address the client connected to, when the header names one.
    public var destination: SocketAddress?
    /// The header's length on the wire, in bytes.
    public var length: Int
    /// A version 2 `PROXY` header's type-length-value fields, in order (the specification's
    /// section 2.2): what the balancer adds about the connection, such as the TLS server name
    /// the client asked for (``authority``) or AWS's VPC endpoint (``awsVPCEndpointID``).
    /// Every field is kept as it came, `PP2_TYPE_NOOP` padding and types this library does not
    /// name included, and none is acted upon (a `PP2_TYPE_CRC32C` checksum is not verified;
    /// `PP2_TYPE_SSL`'s value is its raw client, verify and sub-TLV bytes).
    ///
    /// Empty for version 1, for `LOCAL` (whose block "must" be discarded), for the UNSPEC family
    /// (whose block is unspecified), and when the bytes after the addresses are not a sequence
    /// of whole TLVs: the specification lets a receiver skip them, and the header's addresses
    /// stand. Like the addresses, the fields are only as trustworthy as the balancer: anyone who
    /// can reach the port directly can send any.
    public var tlvs: [TLV] = []

    /// One type-length-value field of a version 2 header.
    public struct TLV: Hashable, Sendable {
        /// `PP2_TYPE_*`, e.g. 0x02 `AUTHORITY`, 0x05 `UNIQUE_ID`, 0xEA AWS.
        public var type: UInt8
        /// The value's bytes (at most 65,535 on the wire).
        public var value: [UInt8]

        /// A field of `type` holding `value`.
        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }
    }

    /// The value of the first field of `type`, if there is one.
    public func value(ofType type: UInt8) -> [UInt8]? {
        tlvs.first { $0.type == type }?.value
    }

    /// `PP2_TYPE_AUTHORITY` (0x02): "the host name value passed by the client, as an UTF8-encoded
    /// string" (the TLS SNI, typically); nil when absent or not UTF-8.
    public var authority: String? {
        value(ofType: 0x02).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// `PP2_TYPE_UNIQUE_ID` (0x05): an opaque identifier of the connection (the specification
    /// allows up to 128 bytes; longer ones are returned as sent); nil when absent.
    public var uniqueID: [UInt8]? { value(ofType: 0x05) }

    /// The VPC endpoint ID an AWS Network Load Balancer adds for a connection through AWS
    /// PrivateLink (type 0xEA `PP2_TYPE_AWS`, subtype 0x01 `PP2_SUBTYPE_AWS_VPCE_ID`), e.g.
    /// `vpce-08d2bf15fac5001c9`; nil when absent.
    public var awsVPCEndpointID: String? {
        // 0xEA carries subtypes of its own: the first field of that type need not be this one.
        guard let value = tlvs.first(where: { $0.type == 0xEA && $0.value.first == 0x01 })?.value, value.count > 1 else {
            return nil
        }
        return String(validating: value.dropFirst(), as: UTF8.self)
    }

    /// What the bytes received so far hold.
    public enum Parsed: Hashable, Sendable {
        /// A header, whole.
        case header(ProxyHeader)
        /// The start of a header; more bytes are needed.
        case incomplete
        /// Not a PROXY protocol header, or a malformed one.
        case invalid(String)
    }

    /// The longest version 1 header, CRLF included.
    public static let maxVersion1Length = 107
    /// The most address and TLV bytes accepted after a version 2 header's 16-byte block. The
    /// addresses take at most 216 (AF_UNIX); the rest are TLVs (AWS adds its endpoint ID).
    public static let maxVersion2Payload = 2048

    static let version1Prefix = Array("PROXY ".utf8)
    static let version2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// How many more bytes a reader peeks after `received` (the start of a header, incomplete):
    /// for version 2 up to the end of its 16-byte block, then up to the end of the length the
    /// block announces; for version 1 up to its 107-byte maximum. Never less than 1, so each
    /// peek makes progress; a peek past a header's end is harmless, as only the header's own
    /// bytes are consumed.
    public static func bytesWanted(after received: [UInt8]) -> Int {
        guard received.first == version2Signature[0] else { return max(1, maxVersion1Length - received.count) }
        guard received.count >= 16 else { return 16 - received.count }
        return max(1, 16 + (Int(received[14]) << 8 | Int(received[15])) - received.count)
    }

    /// Reads a header from the start of `bytes`.
    public static func parse(_ bytes: [UInt8]) -> Parsed {
        if bytes.first == version2Signature[0] { return parseVersion2(bytes) }
        let prefix = min(bytes.count, version1Prefix.count)
        guard bytes[..<prefix].elementsEqual(version1Prefix[..<prefix]) else {
            return .invalid("the connection does not start with a PROXY protocol header")
        }
        return parseVersion1(bytes)
    }

    // MARK: Version 1: "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"

    private static func parseVersion1(_ bytes: [UInt8]) -> Parsed {
        // The CR must come early enough for its LF to be byte 107 at the latest.
        let window = bytes.prefix(maxVersion1Length - 1)
        let end = window.firstIndex(of: 0x0D) ?? window.endIndex
        guard !window[..<end].contains(0x0A) else { return .invalid("a version 1 header ending in LF without CR") }
        guard let cr = window.firstIndex(of: 0x0D) else {
            return bytes.count >= maxVersion1Length - 1 ? .invalid("a version 1 header longer than 107 bytes") : .incomplete
        }
        guard cr + 1 < bytes.count else { return .incomplete }
        guard bytes[cr + 1] == 0x0A else { return .invalid("a version 1 header's CR without LF") }
        let line = bytes[version1Prefix.count..<cr]
        let words = line.split(separator: 0x20, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let length = cr + 2
        // "the receiver must ignore anything presented before the CRLF is found" after UNKNOWN.
        if words.first == "UNKNOWN" { return .header(ProxyHeader(source: nil, destination: nil, length: length)) }
        guard line.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            return .invalid("a version 1 header with a control character")
        }
        guard words.count == 5, words[0] == "TCP4" || words[0] == "TCP6" else {
            return .invalid("a version 1 header other than TCP4, TCP6 or UNKNOWN with two addresses and two ports")
        }
        let family: SocketAddress.Family = words[0] == "TCP4" ? .ipv4 : .ipv6
        guard let sourcePort = port(words[3]), let destinationPort = port(words[4]),
              let source = SocketAddress(ipAddress: words[1], port: sourcePort), source.family == family,
              let destination = SocketAddress(ipAddress: words[2], port: destinationPort), destination.family == family,
              !words[1].contains("["), !words[2].contains("[")
        else { return .invalid("a version 1 header with a malformed address or port") }
        return .header(ProxyHeader(source: source, destination: destination, length: length))
    }

    /// A port as version 1 writes it: 1 to 5 digits, no sign, at most 65535.
    private static func port(_ word: String) -> Int? {
        guard (1...5).contains(word.utf8.count), word.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(word).flatMap { $0 <= 65535 ? $0 : nil }
    }

    // MARK: Version 2: a 12-byte signature, version and command, family, length, addresses

    private static func parseVersion2(_ bytes: [UInt8]) -> Parsed {
        let signature = min(bytes.count, version2Signature.count)
        guard bytes[..<signature].elementsEqual(version2Signature[..<signature]) else {
            return .invalid("the connection does not start with a PROXY protocol header")
        }
        guard bytes.count >= 16 else { return .incomplete }
        let versionAndCommand = bytes[12]
        guard versionAndCommand >> 4 == 2 else { return .invalid("a version 2 header of version \(versionAndCommand >> 4)") }
        let command = versionAndCommand & 0x0F
        guard command <= 1 else { return .invalid("a version 2 header with command \(command)") }
        let payload = Int(bytes[14]) << 8 | Int(bytes[15])
        guard payload <= maxVersion2Payload else { return .invalid("a version 2 header announcing \(payload) bytes") }
        let length = 16 + payload
        guard bytes.count >= length else { return .incomplete }
        // LOCAL (0): "the receiver must accept this connection as valid and must use the real
        // connection endpoints and discard the protocol block including the family".
        guard command == 1 else { return .header(ProxyHeader(source: nil, destination: nil, length: length)) }
        return addresses(bytes[16..<length], family: bytes[13], length: length)
    }

    /// The addresses of a version 2 `PROXY` block, then its TLVs. TCP over IPv4 (0x11) or IPv6
    /// (0x21) gives the addresses; the other defined pairs (UNSPEC, UDP, UNIX sockets) keep the
    /// connection's own endpoints, as the specification allows; any other value "must be
    /// rejected as invalid by receivers".
    private static func addresses(_ block: ArraySlice<UInt8>, family: UInt8, length: Int) -> Parsed {
        // The address block's length by family (section 2.2): INET 12, INET6 36, UNIX 216, UNSPEC 0.
        let blockLength: Int
        switch family {
        case 0x00, 0x01, 0x02: blockLength = 0
        case 0x10, 0x11, 0x12: blockLength = 12
        case 0x20, 0x21, 0x22: blockLength = 36
        case 0x30, 0x31, 0x32: blockLength = 216
        default:
            return .invalid("a version 2 header with family and protocol 0x\(String(family, radix: 16))")
        }
        let isTCP = family == 0x11 || family == 0x21
        guard block.count >= blockLength || !isTCP else {
            return .invalid("a version 2 header too short for its addresses")
        }
        // UNSPEC: "the receiver is free to accept the connection anyway and use the real
        // endpoints addresses": what its block holds is unspecified, TLVs included. Bytes after
        // the addresses that are not whole TLVs are skipped (section 2.2 lets a receiver
        // "skip over and ignore those bytes"), as they were before TLVs were read: a balancer
        // that sends them keeps working, without TLVs.
        let tlvs = family > 0x02 && block.count >= blockLength ? Self.tlvs(block[(block.startIndex + blockLength)...]) ?? [] : []
        var header = ProxyHeader(source: nil, destination: nil, length: length, tlvs: tlvs)
        guard isTCP else { return .header(header) }
        let size = family == 0x11 ? 4 : 16
        let start = block.startIndex
        let ports = start + 2 * size
        let sourcePort = Int(block[ports]) << 8 | Int(block[ports + 1])
        let destinationPort = Int(block[ports + 2]) << 8 | Int(block[ports + 3])
        header.source = SocketAddress(addressBytes: Array(block[start..<start + size]), port: sourcePort)
        header.destination = SocketAddress(addressBytes: Array(block[start + size..<ports]), port: destinationPort)
        return .header(header)
    }

    /// Section 2.2's TLVs, `type` (1 byte), `length` (2, network order), `value`, filling
    /// `bytes` exactly; nil when the last one does not fit.
    private static func tlvs(_ bytes: ArraySlice<UInt8>) -> [TLV]? {
        var fields: [TLV] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes.endIndex - index >= 3 else { return nil }
            let count = Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard bytes.endIndex - (index + 3) >= count else { return nil }
            fields.append(TLV(type: bytes[index], value: Array(bytes[(index + 3)..<(index + 3 + count)])))
            index += 3 + count
        }
        return fields
    }
}

/// How a ``Listener`` reads the PROXY protocol header of each connection.
public struct ProxyProtocolOptions: Sendable, Hashable {
    /// How long a connection may take to send its whole header before it is dropped.
    public var timeout: Duration
    /// The most connections whose header is still awaited; past it, new ones are dropped.
    public var maxPending: Int

    /// Creates options.
    public init(timeout: Duration, maxPending: Int) {
        self.timeout = timeout
        self.maxPending = maxPending
    }
}
