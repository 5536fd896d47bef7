import Testing
@testable import WebSocketTransport

/// RFC 1928 (SOCKS5) and RFC 1929 (its username/password authentication): the exchange,
/// without sockets (internal, hence `@testable`).
@Suite("RFC 1928 SOCKS5 exchange")
struct SOCKS5NegotiationTests {
    let open = SOCKSProxy(host: "proxy.example", port: 1080)
    let guarded = SOCKSProxy(host: "proxy.example", port: 1080, credentials: .init(username: "alice", password: "s3cret"))

    /// Feeds `bytes` one at a time (a proxy may answer in any pieces); true once open.
    func feed(_ negotiation: inout SOCKS5Negotiation, _ bytes: [UInt8], whole: Bool = false) throws(TransportError) -> Bool {
        var opened = false
        for piece in whole ? [bytes] : bytes.map({ [$0] }) {
            opened = try piece.withUnsafeBytes { raw in
                Result { () throws(TransportError) in try negotiation.receive(raw) }
            }.get()
        }
        return opened
    }

    /// The error `answers` lead to, fed a byte at a time, each step's request taken as soon as
    /// there is one (as the driver writes it before it reads again); nil when none.
    func failure(_ answers: [UInt8], proxy: SOCKSProxy? = nil, whole: Bool = false) -> TransportError? {
        do {
            var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: proxy ?? open)
            _ = negotiation.takeOutgoing()
            for piece in whole ? [answers] : answers.map({ [$0] }) {
                _ = try feed(&negotiation, piece, whole: true)
                _ = negotiation.takeOutgoing()
            }
            return nil
        } catch {
            return error
        }
    }

    static let success: [UInt8] = [5, 0, 0, 1, 10, 0, 0, 1, 0xC3, 0x50]

    /// §3: "VER | NMETHODS | METHODS"; §4: "VER | CMD | RSV | ATYP | DST.ADDR | DST.PORT",
    /// CMD X'01' CONNECT, a name as X'03' with its length, the port in network order.
    @Test func withoutCredentialsOnlyNoAuthenticationIsOfferedThenTheRequestFollows() throws {
        var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: open)
        #expect(negotiation.takeOutgoing() == [5, 1, 0])
        #expect(negotiation.takeOutgoing() == [], "handed out once")
        #expect(try !feed(&negotiation, [5, 0]))
        #expect(negotiation.takeOutgoing() == [5, 1, 0, 3, 14] + Array("server.example".utf8) + [1, 187])
        #expect(try feed(&negotiation, Self.success))
    }

    /// RFC 1929 §2: "VER | ULEN | UNAME | PLEN | PASSWD" with VER X'01', then "VER | STATUS".
    @Test func credentialsAreSentWhenTheProxyChoosesThem() throws {
        var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: guarded)
        #expect(negotiation.takeOutgoing() == [5, 2, 0, 2])
        #expect(try !feed(&negotiation, [5, 2]))
        #expect(negotiation.takeOutgoing() == [1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8))
        #expect(try !feed(&negotiation, [1, 0]))
        #expect(negotiation.takeOutgoing().prefix(4) == [5, 1, 0, 3])
        #expect(try feed(&negotiation, Self.success))
    }

    /// A proxy that lets the client in without them is not sent the credentials.
    @Test func credentialsAreNotSentWhenTheProxyWantsNone() throws {
        var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: guarded)
        _ = negotiation.takeOutgoing()
        #expect(try !feed(&negotiation, [5, 0]))
        #expect(negotiation.takeOutgoing().prefix(4) == [5, 1, 0, 3])
    }

    /// §5: X'01' with four bytes for IPv4, X'04' with sixteen for IPv6 (a zone ID stays here).
    static let zeros13 = [UInt8](repeating: 0, count: 13)
    static let addresses: [(String, [UInt8])] = [
        ("192.0.2.7", [1, 192, 0, 2, 7]),
        ("::1", [4, 0, 0] + zeros13 + [1]),
        ("fe80::1%eth0", [4, 0xFE, 0x80] + zeros13 + [1]),
    ]

    @Test("Addresses are sent as addresses", arguments: addresses)
    func addressesAreSentAsAddresses(host: String, encoded: [UInt8]) throws {
        var negotiation = try SOCKS5Negotiation(host: host, port: 80, proxy: open)
        _ = negotiation.takeOutgoing()
        _ = try feed(&negotiation, [5, 0])
        #expect(negotiation.takeOutgoing() == [5, 1, 0] + encoded + [0, 80])
    }

    /// §6: BND.ADDR is as long as its ATYP says, a name's length in its first byte; the reply
    /// is whole only after BND.PORT, in whatever pieces it arrives.
    static let replies: [[UInt8]] = [
        [5, 0, 0, 1, 127, 0, 0, 1, 0, 9],
        [5, 0, 0, 4, 0, 0, 0] + zeros13 + [0, 9],
        [5, 0, 0, 3, 4, 0x68, 0x6F, 0x73, 0x74, 0, 9],  // "host"
        [5, 0, 0x7F, 1, 0, 0, 0, 0, 0, 0],  // RSV not checked, as by curl
    ]

    @Test("Replies of every address type open the tunnel", arguments: replies)
    func repliesOpenTheTunnel(reply: [UInt8]) throws {
        for whole in [false, true] {
            var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: open)
            _ = negotiation.takeOutgoing()
            #expect(try !feed(&negotiation, [5, 0]))
            _ = negotiation.takeOutgoing()
            if !whole {
                #expect(try !feed(&negotiation, Array(reply.dropLast())))
                #expect(try feed(&negotiation, [reply.last!]))
            } else {
                #expect(try feed(&negotiation, reply, whole: true))
            }
        }
    }

    /// §6: "REP Reply field: X'01' general SOCKS server failure … X'05' Connection refused …".
    @Test("Failure replies are refusals with the RFC's reason", arguments: [
        (1, "general SOCKS server failure"), (2, "connection not allowed by ruleset"), (4, "host unreachable"),
        (5, "connection refused"), (8, "address type not supported"), (0x42, "unassigned reply code"),
    ])
    func failureRepliesAreRefusals(reply: Int, reason: String) {
        let error = failure([5, 0, 5, UInt8(reply)])
        guard case .socksRefused(let code, let text)? = error?.kind else { Issue.record("\(String(describing: error))"); return }
        #expect(code == reply && text == reason)
        #expect(error?.endpoint == "proxy.example:1080")
        #expect("\(error!)".contains("did not open the connection: \(reply) \(reason)"))
    }

    /// §3: "If the selected METHOD is X'FF', none of the methods listed by the client are
    /// acceptable, and the client MUST close the connection"; RFC 1929: a STATUS other than
    /// X'00' is a failure.
    @Test func authenticationFailuresAreTheirOwnKind() {
        for (proxy, answers) in [(open, [5, 0xFF]), (guarded, [5, 0xFF]), (guarded, [5, 2, 1, 1])] as [(SOCKSProxy, [UInt8])] {
            guard case .socksAuthenticationFailed(let message)? = failure(answers, proxy: proxy)?.kind else {
                Issue.record("\(answers): \(String(describing: failure(answers, proxy: proxy)))")
                continue
            }
            #expect(!message.isEmpty)
        }
        guard case .socksAuthenticationFailed(let message)? = failure([5, 0xFF], proxy: open)?.kind else { return }
        #expect(message.contains("SOCKSProxy.credentials"), "the fix is named")
    }

    static let malformed: [[UInt8]] = [
        Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8),  // not a SOCKS proxy
        [4, 0x5A],  // a SOCKS4 answer
        [5, 2],  // username/password chosen, none offered
        [5, 1],  // GSSAPI, not offered
        [5, 0, 4, 0, 0, 1, 0, 0, 0, 0, 0, 0],  // reply with version 4
        [5, 0, 5, 0, 0, 9, 0, 0],  // unknown address type
        [5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 9, 0x47],  // bytes after the reply
    ]

    @Test("Malformed answers are protocol errors", arguments: malformed)
    func malformedAnswersAreProtocolErrors(answers: [UInt8]) {
        guard case .proxy(let message)? = failure(answers)?.kind else {
            Issue.record("\(answers): \(String(describing: failure(answers)))")
            return
        }
        #expect(message.hasPrefix("the SOCKS5 proxy"))
    }

    /// RFC 1929's VER is X'01'; a proxy that answers 5 there (some do) is let through on its
    /// STATUS, as curl does.
    @Test func theAuthenticationStatusDecidesNotItsVersion() {
        #expect(failure([5, 2, 5, 0] + Self.success, proxy: guarded) == nil)
        guard case .socksAuthenticationFailed? = failure([5, 2, 5, 1], proxy: guarded)?.kind else { Issue.record("accepted"); return }
    }

    /// An answer must come alone, after the request it answers was handed out: bytes behind a
    /// method choice or a status answer a request not sent yet, and nothing may follow the
    /// reply in the same read either.
    @Test("Answers ahead of their requests are protocol errors", arguments: [
        ([5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 9] as [UInt8], false),  // the reply before the CONNECT request
        ([5, 2, 1, 0] as [UInt8], true),  // a status before the credentials
    ])
    func answersAheadOfTheirRequestsAreProtocolErrors(answers: [UInt8], credentials: Bool) {
        guard case .proxy(let message)? = failure(answers, proxy: credentials ? guarded : open, whole: true)?.kind else {
            Issue.record("accepted \(answers)"); return
        }
        #expect(message.contains("before it was sent the request"), "\(message)")
    }

    /// The reply and a byte more in one read: the check on a whole read, not only the one on
    /// a byte arriving after the tunnel opened.
    @Test func bytesBehindTheReplyInTheSameReadAreAProtocolError() throws {
        var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: open)
        _ = negotiation.takeOutgoing()
        #expect(try !feed(&negotiation, [5, 0], whole: true))
        _ = negotiation.takeOutgoing()
        do {
            _ = try feed(&negotiation, Self.success + [0x47], whole: true)
            Issue.record("accepted bytes behind the reply")
        } catch {
            guard case .proxy(let message) = error.kind else { Issue.record("\(error)"); return }
            #expect(message.contains("after its reply"), "\(message)")
        }
    }

    /// `socks5://user@host` names an empty password, which curl sends as PLEN X'00'; an empty
    /// username cannot be sent.
    @Test func anEmptyPasswordIsSentAndAnEmptyUsernameIsNot() throws {
        let proxy = SOCKSProxy(host: "p", port: 1, credentials: .init(username: "u", password: ""))
        var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: proxy)
        _ = negotiation.takeOutgoing()
        _ = try feed(&negotiation, [5, 2])
        #expect(negotiation.takeOutgoing() == [1, 1, UInt8(ascii: "u"), 0])
    }

    /// A logged configuration does not show the password.
    @Test func credentialsPrintWithoutThePassword() {
        let proxy = SOCKSProxy(host: "p", port: 1, credentials: .init(username: "alice", password: "pa55word"))
        var dumped = ""
        dump(proxy, to: &dumped)
        for text in ["\(proxy)", String(reflecting: proxy), "\(proxy.credentials!)", dumped] {
            #expect(!text.contains("pa55word") && text.contains("alice"), "\(text)")
        }
        let http = HTTPProxy(host: "p", port: 1, authorization: "Basic cGE1NXdvcmQ=")
        dumped = ""
        dump(http, to: &dumped)
        for text in ["\(http)", String(reflecting: http), dumped] {
            #expect(!text.contains("cGE1NXdvcmQ") && text.contains("***"), "\(text)")
        }
    }

    /// What cannot be encoded is refused before anything is sent: RFC 1929 lengths are 1-255
    /// bytes, a name 1-255 bytes of host syntax, a port 16 bits.
    @Test func whatCannotBeSentIsRefused() {
        let long = String(repeating: "a", count: 256)
        let cases: [(String, Int, SOCKSProxy)] = [
            (long, 443, open), ("", 443, open), ("a\u{0}b", 443, open), ("a b", 443, open), ("server.example", 70_000, open),
            ("server.example", 443, SOCKSProxy(host: "p", port: 1, credentials: .init(username: "", password: "x"))),
            ("server.example", 443, SOCKSProxy(host: "p", port: 1, credentials: .init(username: long, password: "x"))),
            ("server.example", 443, SOCKSProxy(host: "p", port: 1, credentials: .init(username: "u", password: long))),
        ]
        for (host, port, proxy) in cases {
            #expect(throws: TransportError.self, "\(host.prefix(8)) \(port)") {
                _ = try SOCKS5Negotiation(host: host, port: port, proxy: proxy)
            }
        }
        #expect(throws: Never.self) { _ = try SOCKS5Negotiation(host: String(repeating: "a", count: 255), port: 0, proxy: open) }
    }

    /// Closing early names the step, so a rejected password that a proxy answers by hanging up
    /// (pproxy does) reads as such.
    @Test func closingEarlyNamesTheStep() throws {
        var negotiation = try SOCKS5Negotiation(host: "server.example", port: 443, proxy: guarded)
        _ = negotiation.takeOutgoing()
        #expect("\(negotiation.closedEarlyError)".contains("before it chose an authentication method"))
        _ = try feed(&negotiation, [5, 2])
        _ = negotiation.takeOutgoing()
        #expect("\(negotiation.closedEarlyError)".contains("during authentication"))
        _ = try feed(&negotiation, [1, 0])
        #expect("\(negotiation.closedEarlyError)".contains("before it answered CONNECT"))
    }
}
