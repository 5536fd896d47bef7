import Testing
import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport
@testable import WebSocketClient

/// Which proxy a client uses: `HTTPProxy(url:)`, `SOCKSProxy(url:)`, `TunnelProxy(url:)` and
/// `Configuration.Proxy.environment`.
@Suite("Proxy configuration")
struct ProxyConfigurationTests {
    static let basic = "Basic " + Base64.encode(Array("alice:s3cret w@rd".utf8))

    @Test("Proxy URLs parse", arguments: [
        ("http://proxy.example:3128", "proxy.example", 3128, nil),
        ("proxy.example:3128", "proxy.example", 3128, nil),
        ("HTTP://proxy.example:3128/", "proxy.example", 3128, nil),
        ("http://proxy.example", "proxy.example", 1080, nil),  // curl's default
        ("http://[::1]:3128", "::1", 3128, nil),
        ("http://alice:s3cret%20w%40rd@proxy.example:8080/", "proxy.example", 8080, basic),
    ] as [(String, String, Int, String?)])
    func proxyURLsParse(url: String, host: String, port: Int, authorization: String?) throws {
        #expect(try HTTPProxy(url: url) == HTTPProxy(host: host, port: port, authorization: authorization))
    }

    @Test("Proxy URLs we cannot use are refused", arguments: [
        "https://proxy.example:443", "socks5://proxy.example:1080", "http://proxy.example:3128/path", "http://:80",
        "http://proxy.example:99999",
    ])
    func unusableProxyURLsAreRefused(url: String) {
        #expect(throws: WebSocketError.self) { try HTTPProxy(url: url) }
    }

    @Test("SOCKS5 proxy URLs parse", arguments: [
        ("socks5h://proxy.example:9050", "proxy.example", 9050, nil, true),
        ("SOCKS5H://proxy.example/", "proxy.example", 1080, nil, true),  // curl's default port
        ("socks5://[::1]:1080", "::1", 1080, nil, false),
        ("socks5h://alice:s3cret%20w%40rd@proxy.example:1080", "proxy.example", 1080,
         SOCKSProxy.Credentials(username: "alice", password: "s3cret w@rd"), true),
    ] as [(String, String, Int, SOCKSProxy.Credentials?, Bool)])
    func socksURLsParse(url: String, host: String, port: Int, credentials: SOCKSProxy.Credentials?, remote: Bool) throws {
        let expected = SOCKSProxy(host: host, port: port, credentials: credentials, resolvesNamesAtProxy: remote)
        #expect(try SOCKSProxy(url: url) == expected)
        #expect(try TunnelProxy(url: url) == .socks5(expected))
    }

    @Test("Proxy URLs of kinds we do not speak are refused", arguments: [
        "socks4://proxy.example:1080", "socks4a://proxy.example:1080", "socks://proxy.example", "https://proxy.example",
        "socks5h://proxy.example:1080/path", "socks5://proxy.example:70000",
    ])
    func unsupportedProxyKindsAreRefused(url: String) {
        #expect(throws: WebSocketError.self) { try TunnelProxy(url: url) }
        #expect(throws: WebSocketError.self) { try SOCKSProxy(url: url) }
    }

    @Test func anHTTPURLIsAnHTTPProxyAndNotASOCKSOne() throws {
        #expect(try TunnelProxy(url: "proxy.example:3128") == .http(HTTPProxy(host: "proxy.example", port: 3128)))
        #expect(throws: WebSocketError.self) { try SOCKSProxy(url: "http://proxy.example:3128") }
    }

    func resolve(_ url: String, _ variables: [String: String]) throws -> TunnelProxy? {
        try WebSocket.Configuration.Proxy.environment.proxy(for: try WebSocketURL(url)) { variables[$0] }
    }

    @Test func theEnvironmentNamesAProxyPerScheme() throws {
        let variables = ["https_proxy": "http://secure:1", "http_proxy": "http://plain:2", "all_proxy": "http://any:3"]
        #expect(try resolve("wss://chat.example/", variables)?.host == "secure")
        #expect(try resolve("ws://chat.example/", variables)?.host == "plain")
        #expect(try resolve("ws://chat.example/", ["all_proxy": "http://any:3"])?.host == "any")
        #expect(try resolve("wss://chat.example/", ["HTTPS_PROXY": "http://upper:4"])?.host == "upper")
        #expect(try resolve("wss://chat.example/", ["ALL_PROXY": "http://upper:5"])?.port == 5)
        #expect(try resolve("wss://chat.example/", [:]) == nil)
        #expect(try resolve("wss://chat.example/", ["https_proxy": ""]) == nil)
    }

    /// "httpoxy": a CGI program's HTTP_PROXY can come from the request's `Proxy` header.
    @Test func upperCaseHTTPProxyIsIgnoredForWS() throws {
        #expect(try resolve("ws://chat.example/", ["HTTP_PROXY": "http://evil:80"]) == nil)
    }

    @Test("no_proxy bypasses the proxy", arguments: [
        ("ws://chat.example/", "*", true),
        ("ws://chat.example/", "example.com, chat.example", true),
        ("ws://a.chat.example/", "chat.example", true),
        ("ws://a.chat.example/", ".chat.example", true),
        ("ws://CHAT.EXAMPLE/", "chat.example", true),
        ("ws://badchat.example/", "chat.example", false),
        ("ws://chat.example:8080/", "chat.example:8080", true),
        ("ws://chat.example:9090/", "chat.example:8080", false),
        ("ws://127.0.0.1:9000/", "localhost,127.0.0.1", true),
        ("ws://[::1]:9000/", "::1", true),
        ("ws://[::1]:9000/", "[::1]:9000", true),
        ("ws://[::1]:9000/", "[::1]:9001", false),
        ("ws://chat.example/", "", false),
    ])
    func noProxyBypasses(url: String, noProxy: String, bypassed: Bool) throws {
        let proxy = try resolve(url, ["http_proxy": "http://proxy:3128", "no_proxy": noProxy])
        #expect((proxy == nil) == bypassed)
    }

    /// curl: the first variable set decides, and an empty one means no proxy.
    @Test func anEmptyVariableMeansNoProxy() throws {
        #expect(try resolve("wss://chat.example/", ["https_proxy": "", "HTTPS_PROXY": "http://upper:4"]) == nil)
        #expect(try resolve("ws://chat.example/", ["http_proxy": "", "all_proxy": "http://any:3"]) == nil)
    }

    @Test("no_proxy's address entries", arguments: [
        ("ws://10.1.2.3/", "10.0.0.0/8", true),
        ("ws://11.1.2.3/", "10.0.0.0/8", false),
        ("ws://192.168.1.77/", "192.168.1.64/26", true),
        ("ws://192.168.1.128/", "192.168.1.64/26", false),
        ("ws://10.0.0.1/", "0.1", false),  // no suffix matching of addresses
        ("ws://10.0.0.1/", "10.0.0.1", true),
        ("ws://[fd00::5]/", "fd00::/8", true),
        ("ws://[fe80::5]/", "fd00::/8", false),
        ("ws://[::1]/", "127.0.0.1", false),
        ("ws://chat.example/", "10.0.0.0/8", false),
        ("ws://chat.example/", "localhost, *", false),  // `*` counts only as the whole value
        ("ws://chat.example/", " * ", true),
    ])
    func noProxyAddressEntries(url: String, noProxy: String, bypassed: Bool) throws {
        let proxy = try resolve(url, ["http_proxy": "http://proxy:3128", "no_proxy": noProxy])
        #expect((proxy == nil) == bypassed)
    }

    /// Environment values end up in logs through error messages: not their passwords.
    @Test func errorsDoNotShowTheProxyPassword() {
        for value in ["https://alice:pa55word@proxy:443", "http://alice:pa55word@proxy:99999", "http://alice:pa55word@proxy/x",
                      "socks4://alice:pa55word@proxy:1080", "socks5h://alice:pa55word@proxy/x"] {
            do {
                _ = try TunnelProxy(url: value)
                Issue.record("accepted \(value)")
            } catch {
                #expect(!"\(error)".contains("pa55word"), "\(error)")
                #expect("\(error)".contains("***@proxy"), "\(error)")
            }
        }
    }

    @Test func aProxyTheEnvironmentCannotNameIsAnError() {
        #expect(throws: WebSocketError.self) { try resolve("wss://chat.example/", ["https_proxy": "https://proxy:443"]) }
    }

    @Test func explicitChoicesNeedNoEnvironment() throws {
        let url = try WebSocketURL("ws://chat.example/")
        let proxy = HTTPProxy(host: "proxy", port: 3128)
        #expect(try WebSocket.Configuration.Proxy.none.proxy(for: url) { _ in "http://x:1" } == nil)
        #expect(try WebSocket.Configuration.Proxy.http(proxy).proxy(for: url) { _ in nil } == .http(proxy))
        let socks = SOCKSProxy(host: "proxy", port: 1080)
        #expect(try WebSocket.Configuration.Proxy.socks5(socks).proxy(for: url) { _ in "http://x:1" } == .socks5(socks))
    }

    /// curl's variables name SOCKS proxies by scheme, and `no_proxy` applies to them as well.
    @Test func theEnvironmentCanNameASOCKSProxy() throws {
        #expect(try resolve("wss://chat.example/", ["https_proxy": "socks5h://tor:9050"])
            == .socks5(SOCKSProxy(host: "tor", port: 9050)))
        #expect(try resolve("ws://chat.example/", ["all_proxy": "socks5://a:b@gw:1080"])
            == .socks5(SOCKSProxy(host: "gw", port: 1080, credentials: .init(username: "a", password: "b"), resolvesNamesAtProxy: false)))
        #expect(try resolve("ws://chat.example/", ["all_proxy": "socks5h://gw:1080", "no_proxy": ".example"]) == nil)
    }
}
