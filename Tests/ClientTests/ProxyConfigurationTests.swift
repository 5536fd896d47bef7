import Testing
import WebSocketDriver
import WebSocketHandshake
import WebSocketTransport
@testable import WebSocketClient

/// Which proxy a client uses: `HTTPProxy(url:)` and `Configuration.Proxy.environment`.
@Suite("HTTP proxy configuration")
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

    func resolve(_ url: String, _ variables: [String: String]) throws -> HTTPProxy? {
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
        for value in ["https://alice:pa55word@proxy:443", "http://alice:pa55word@proxy:99999", "http://alice:pa55word@proxy/x"] {
            do {
                _ = try HTTPProxy(url: value)
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
        #expect(try WebSocket.Configuration.Proxy.http(proxy).proxy(for: url) { _ in nil } == proxy)
    }
}
