import Testing
import WebSocketTestSupport
import WebSocketTransport

/// HAProxy's PROXY protocol, versions 1 and 2, as a receiver reads it.
@Suite("PROXY protocol header")
struct ProxyHeaderTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func header(_ bytes: [UInt8]) -> ProxyHeader? {
        if case .header(let header) = ProxyHeader.parse(bytes) { return header }
        return nil
    }

    private func isInvalid(_ bytes: [UInt8]) -> Bool {
        if case .invalid = ProxyHeader.parse(bytes) { return true }
        return false
    }

    @Test func version1TCP4() throws {
        let line = bytes("PROXY TCP4 203.0.113.7 198.51.100.2 56324 443\r\n")
        let parsed = try #require(header(line + bytes("GET / HTTP/1.1\r\n")))
        #expect(parsed.source?.description == "203.0.113.7:56324")
        #expect(parsed.destination?.description == "198.51.100.2:443")
        #expect(parsed.length == line.count)
    }

    @Test func version1TCP6AndUnknown() throws {
        let tcp6 = try #require(header(bytes("PROXY TCP6 2001:db8::1 2001:db8::2 5555 443\r\n")))
        #expect(tcp6.source?.description == "[2001:db8::1]:5555")
        let unknown = try #require(header(bytes("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")))
        #expect(unknown.source == nil)
        #expect(try #require(header(bytes("PROXY UNKNOWN\r\n"))).length == 15)
    }

    /// Every prefix of a header is incomplete, not invalid: it may arrive a byte at a time.
    @Test func everyPrefixIsIncomplete() {
        let line = bytes("PROXY TCP4 203.0.113.7 198.51.100.2 56324 443\r\n")
        for count in 0..<line.count {
            #expect(ProxyHeader.parse(Array(line[..<count])) == .incomplete, "\(count) bytes")
        }
        let block = version2(command: 1, family: 0x11, addresses: [192, 0, 2, 1, 198, 51, 100, 2, 0x1F, 0x90, 0x01, 0xBB])
        for count in 0..<block.count {
            #expect(ProxyHeader.parse(Array(block[..<count])) == .incomplete, "\(count) bytes")
        }
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",
        "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY TCP4 ::1 ::1 1 2\r\n",
        "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "PROXY TCP4 host 5.6.7.8 1 2\r\n",
        "PROXY TCP6 [::1] [::1] 1 2\r\n", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4\u{0}junk 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8\t1 2\r\n",
    ])
    func malformedVersion1IsInvalid(text: String) {
        #expect(isInvalid(bytes(text)), "\(text)")
    }

    /// The specification's limit: 107 bytes with the CRLF.
    @Test func version1IsAtMost107Bytes() {
        let longest = bytes("PROXY UNKNOWN " + String(repeating: "x", count: 91) + "\r\n")
        #expect(longest.count == 107)
        #expect(header(longest)?.length == 107)
        let tooLong = bytes("PROXY UNKNOWN " + String(repeating: "x", count: 92) + "\r\n")
        #expect(isInvalid(tooLong))
        #expect(isInvalid(Array(tooLong.prefix(106))), "106 bytes without a CR can only become too long")
    }

    /// A version 2 block: signature, version 2 and `command`, `family`, length, `addresses`.
    private func version2(command: UInt8, family: UInt8, addresses: [UInt8], tlvs: [UInt8] = []) -> [UInt8] {
        let payload = addresses + tlvs
        return ProxyHeaderTests.signature + [0x20 | command, family, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    @Test func version2TCP4WithTLVs() throws {
        let tlv: [UInt8] = [0xEA, 0x00, 0x05] + Array("vpce1".utf8)  // AWS's endpoint ID
        let block = version2(command: 1, family: 0x11, addresses: [192, 0, 2, 1, 198, 51, 100, 2, 0x1F, 0x90, 0x01, 0xBB], tlvs: tlv)
        let parsed = try #require(header(block + bytes("\u{16}\u{03}\u{01}")))  // a ClientHello follows
        #expect(parsed.source?.description == "192.0.2.1:8080")
        #expect(parsed.destination?.description == "198.51.100.2:443")
        #expect(parsed.length == block.count)
    }

    /// Section 2.2's TLVs, in order, with the fields the specification and AWS name.
    @Test func version2TLVsAreKept() throws {
        let tlvs: [UInt8] = [0x02, 0x00, 0x0C] + Array("chat.example".utf8)  // PP2_TYPE_AUTHORITY
            + [0x05, 0x00, 0x03, 0xA1, 0xA2, 0xA3]  // PP2_TYPE_UNIQUE_ID
            + [0xEA, 0x00, 0x17, 0x01] + Array("vpce-08d2bf15fac5001c9".utf8)  // PP2_TYPE_AWS, VPCE_ID
            + [0xE0, 0x00, 0x00]  // a custom type, empty
        let parsed = try #require(header(version2(
            command: 1, family: 0x11, addresses: [192, 0, 2, 1, 198, 51, 100, 2, 0x1F, 0x90, 0x01, 0xBB], tlvs: tlvs)))
        #expect(parsed.tlvs.map(\.type) == [0x02, 0x05, 0xEA, 0xE0])
        #expect(parsed.authority == "chat.example")
        #expect(parsed.uniqueID == [0xA1, 0xA2, 0xA3])
        #expect(parsed.awsVPCEndpointID == "vpce-08d2bf15fac5001c9")
        #expect(parsed.value(ofType: 0xE0) == [])
        #expect(parsed.value(ofType: 0x01) == nil)
        #expect(parsed.source?.description == "192.0.2.1:8080")
    }

    /// TLVs follow the address block of every family but UNSPEC: after 216 bytes for a UNIX
    /// socket, whose addresses are not used.
    @Test func version2TLVsFollowEachFamilysAddresses() throws {
        let authority: [UInt8] = [0x02, 0x00, 0x01, 0x61]
        let unix = try #require(header(version2(command: 1, family: 0x31, addresses: [UInt8](repeating: 0x2F, count: 216), tlvs: authority)))
        #expect(unix.source == nil && unix.authority == "a")
        let v6 = try #require(header(version2(command: 1, family: 0x21, addresses: [UInt8](repeating: 7, count: 36), tlvs: authority)))
        #expect(v6.authority == "a")
        let unspecified = try #require(header(version2(command: 1, family: 0x00, addresses: [9, 9])))
        #expect(unspecified.tlvs.isEmpty, "UNSPEC's block is not read")
        let local = try #require(header(version2(command: 0, family: 0x11, addresses: [UInt8](repeating: 1, count: 12), tlvs: authority)))
        #expect(local.tlvs.isEmpty, "LOCAL's block is discarded")
        #expect(try #require(header(bytes("PROXY UNKNOWN\r\n"))).tlvs.isEmpty)
    }

    /// Bytes after the addresses that are not whole TLVs are skipped (section 2.2 lets a
    /// receiver "skip over and ignore those bytes"): the header and its addresses stand, as
    /// before TLVs were read, without TLVs. A value that is not UTF-8 makes `authority` nil.
    @Test func version2BytesThatAreNotTLVsAreSkipped() throws {
        let addresses: [UInt8] = [192, 0, 2, 1, 198, 51, 100, 2, 0x1F, 0x90, 0x01, 0xBB]
        for junk in [[0x02, 0x00, 0x05, 0x61], [0x02, 0x00], [0x04]] as [[UInt8]] {
            let parsed = try #require(header(version2(command: 1, family: 0x11, addresses: addresses, tlvs: junk)), "\(junk)")
            #expect(parsed.tlvs.isEmpty && parsed.source?.description == "192.0.2.1:8080")
        }
        let notUTF8 = try #require(header(version2(command: 1, family: 0x11, addresses: addresses, tlvs: [0x02, 0x00, 0x01, 0xFF])))
        #expect(notUTF8.authority == nil && notUTF8.value(ofType: 0x02) == [0xFF])
        let shortUnix = try #require(header(version2(command: 1, family: 0x31, addresses: [UInt8](repeating: 0, count: 100))))
        #expect(shortUnix.source == nil && shortUnix.tlvs.isEmpty, "a UNIX block short of 216 bytes is accepted, as before")
    }

    /// An AWS Network Load Balancer's header for a PrivateLink connection, in the shape AWS
    /// documents: a CRC32C, another 0xEA subtype before the endpoint ID, and NOOP padding.
    @Test func anAWSStyleHeaderNamesItsEndpoint() throws {
        let tlvs: [UInt8] = [0x03, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78]  // PP2_TYPE_CRC32C (not verified)
            + [0xEA, 0x00, 0x02, 0x02, 0x00]  // an 0xEA subtype other than the endpoint ID
            + [0xEA, 0x00, 0x17, 0x01] + Array("vpce-08d2bf15fac5001c9".utf8)
            + [0x04, 0x00, 0x24] + [UInt8](repeating: 0, count: 36)  // PP2_TYPE_NOOP
        let parsed = try #require(header(version2(
            command: 1, family: 0x11, addresses: [192, 0, 2, 1, 198, 51, 100, 2, 0x1F, 0x90, 0x01, 0xBB], tlvs: tlvs)))
        #expect(parsed.awsVPCEndpointID == "vpce-08d2bf15fac5001c9")
        #expect(parsed.tlvs.map(\.type) == [0x03, 0xEA, 0xEA, 0x04])
        let emptyID = try #require(header(version2(command: 1, family: 0x11, addresses: [UInt8](repeating: 1, count: 12), tlvs: [0xEA, 0x00, 0x01, 0x01])))
        #expect(emptyID.awsVPCEndpointID == nil)
    }

    @Test func version2TCP6() throws {
        let source: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        let destination: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [2]
        let parsed = try #require(header(version2(command: 1, family: 0x21, addresses: source + destination + [0x15, 0xB3, 0x01, 0xBB])))
        #expect(parsed.source?.description == "[2001:db8::1]:5555")
        #expect(parsed.destination?.description == "[2001:db8::2]:443")
    }

    /// LOCAL (the balancer's own health check) and families other than TCP over IP keep the
    /// connection's own endpoints; the block is skipped whole.
    @Test func version2LocalAndOtherFamiliesNameNoClient() throws {
        let local = try #require(header(version2(command: 0, family: 0x11, addresses: [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2])))
        #expect(local.source == nil)
        #expect(local.length == 28)
        let unspecified = try #require(header(version2(command: 1, family: 0x00, addresses: [])))
        #expect(unspecified.source == nil)
        let udp = try #require(header(version2(command: 1, family: 0x12, addresses: [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2])))
        #expect(udp.source == nil)
    }

    /// Family and protocol bytes the specification does not list "must be rejected as invalid".
    @Test(arguments: [UInt8(0x41), 0x13, 0x03, 0x23, 0x33, 0xFF])
    func unlistedVersion2FamiliesAreInvalid(family: UInt8) {
        #expect(isInvalid(version2(command: 1, family: family, addresses: [UInt8](repeating: 1, count: 12))))
        #expect(header(version2(command: 0, family: family, addresses: [])) != nil, "LOCAL ignores the family")
    }

    /// A reader peeks only what can still be header: small reads for a client that trickles.
    @Test func bytesWantedFollowsTheHeader() {
        #expect(ProxyHeader.bytesWanted(after: []) == 107)
        #expect(ProxyHeader.bytesWanted(after: bytes("PROXY TCP4 ")) == 96)
        #expect(ProxyHeader.bytesWanted(after: Array(ProxyHeaderTests.signature.prefix(3))) == 13)
        let block = version2(command: 1, family: 0x11, addresses: [UInt8](repeating: 1, count: 12), tlvs: [1, 0, 2, 9, 9])
        #expect(ProxyHeader.bytesWanted(after: Array(block.prefix(16))) == block.count - 16)
        #expect(ProxyHeader.bytesWanted(after: Array(block.prefix(20))) == block.count - 20)
    }

    @Test func malformedVersion2IsInvalid() {
        var wrongVersion = version2(command: 1, family: 0x11, addresses: [UInt8](repeating: 1, count: 12))
        wrongVersion[12] = 0x11
        #expect(isInvalid(wrongVersion))
        var wrongCommand = wrongVersion
        wrongCommand[12] = 0x22
        #expect(isInvalid(wrongCommand))
        #expect(isInvalid(version2(command: 1, family: 0x11, addresses: [1, 2, 3, 4])), "too short for TCP4 addresses")
        var badSignature = version2(command: 1, family: 0x11, addresses: [UInt8](repeating: 1, count: 12))
        badSignature[5] = 0x00
        #expect(isInvalid(badSignature))
        let huge = ProxyHeaderTests.signature + [0x21, 0x11, 0xFF, 0xFF]
        #expect(isInvalid(huge), "a block longer than the limit is refused before it arrives")
    }

    /// Mutated headers (a seeded generator, 20,000 inputs): no input traps, a header never
    /// claims more bytes than were given, bytes after a header do not change it, and every
    /// prefix of a header is incomplete.
    @Test func mutatedHeadersKeepTheInvariants() {
        var random = SeededRandom(seed: 6455)
        let seeds: [[UInt8]] = [
            bytes("PROXY TCP4 203.0.113.7 198.51.100.2 56324 443\r\n"), bytes("PROXY TCP6 ::1 ::2 1 2\r\n"),
            bytes("PROXY UNKNOWN\r\n"),
            version2(command: 1, family: 0x11, addresses: [192, 0, 2, 1, 198, 51, 100, 2, 0x1F, 0x90, 0x01, 0xBB]),
            version2(command: 1, family: 0x21, addresses: [UInt8](repeating: 7, count: 36), tlvs: [1, 0, 1, 0x68]),
            version2(command: 0, family: 0x00, addresses: []),
        ]
        for _ in 0..<20_000 {
            var input = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<Int(random.next() % 4) {
                let position = Int(random.next() % UInt64(input.count + 1))
                switch random.next() % 3 {
                case 0 where position < input.count: input[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: input.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                default: if position < input.count { input.remove(at: position) }
                }
            }
            guard case .header(let parsed) = ProxyHeader.parse(input) else { continue }
            #expect(parsed.length <= input.count && parsed.length > 0)
            #expect(ProxyHeader.parse(Array(input[..<parsed.length])) == .header(parsed))
            #expect(ProxyHeader.parse(input + [0x0D, 0x0A, 0x47]) == .header(parsed))
            let cut = Int(random.next() % UInt64(parsed.length))
            #expect(ProxyHeader.parse(Array(input[..<cut])) == .incomplete)
        }
    }

    @Test func addressBytesRoundTrip() throws {
        let v4 = try #require(SocketAddress(addressBytes: [10, 1, 2, 3], port: 80))
        #expect(v4.description == "10.1.2.3:80")
        #expect(v4.addressBytes == [10, 1, 2, 3])
        #expect(SocketAddress(addressBytes: [1, 2, 3], port: 80) == nil)
        #expect(SocketAddress(addressBytes: [1, 2, 3, 4], port: 70000) == nil)
    }
}

