// The Autobahn|Testsuite driver (agent `SwiftWebSocket`).
//
//   AutobahnDriver client ws://127.0.0.1:9001   runs every case of a fuzzingserver
//   AutobahnDriver client wss://127.0.0.1:9003 --ca Tests/Fixtures/tls/ca.pem --agent SwiftWebSocket-TLS
//                                               the same over TLS, trusting the given CA (PEM)
//   AutobahnDriver server 9002                  echo server for a fuzzingclient
//   AutobahnDriver server 9002 --handler        the same echo through `handleMessages`
//
// In client mode it asks the fuzzingserver for the case count, runs each case by echoing every
// message back until the server closes, then asks the server to write its reports.
// Options (client mode): --agent NAME (default SwiftWebSocket), --ca PEM_FILE (trust roots for
// wss://; default the system's).
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketServer
import WebSocketTransport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client options after the URL: `--agent NAME`, `--ca PEM_FILE`.
struct ClientOptions: Sendable {
    var agent = "SwiftWebSocket"
    var trustRoots: TLSTrustRoots = .system

    init?(_ arguments: ArraySlice<String>) {
        var rest = arguments
        while let option = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch option {
            case "--agent": agent = value
            case "--ca": trustRoots = .pemFile(value)
            default: return nil
            }
        }
    }
}

/// Limits raised to the suite's largest messages (16 MiB in 9.x) and no keepalive pings, which
/// the suite would count as unexpected frames; `trustRoots` for wss://.
func autobahnConfiguration(trustRoots: TLSTrustRoots = .system) -> WebSocket.Configuration {
    var configuration = WebSocket.Configuration()
    configuration.tls.trustRoots = trustRoots
    configuration.connection.maxFrameSize = 64 << 20
    configuration.connection.maxMessageSize = 64 << 20
    configuration.connection.maxFragmentsPerMessage = 1 << 20
    configuration.pingInterval = nil
    configuration.closeTimeout = .seconds(5)
    configuration.openTimeout = .seconds(30)
    configuration.writeHighWaterMark = 1 << 20
    // Decode no further than the message being echoed, so that a violation arriving behind a
    // valid message is seen after its echo went out (Autobahn 3.2, 4.1.3, 4.2.3, 5.15).
    configuration.maxQueuedMessages = 1
    return configuration
}

/// Reads the one text message `/getCaseCount` answers with.
func caseCount(base: String, options: ClientOptions) async throws -> Int {
    let ws = try await WebSocket.connect(
        to: base + "/getCaseCount", configuration: autobahnConfiguration(trustRoots: options.trustRoots))
    var count = 0
    for try await message in ws.messages {
        count = Int(message.text ?? "") ?? 0
    }
    return count
}

/// Echoes every message of one case back until the server closes.
func runCase(base: String, number: Int, options: ClientOptions) async {
    do {
        let ws = try await WebSocket.connect(
            to: base + "/runCase?case=\(number)&agent=\(options.agent)",
            configuration: autobahnConfiguration(trustRoots: options.trustRoots))
        for try await message in ws.messages {
            try await ws.send(message)
        }
    } catch {
        // A failed case is judged by the suite, not here: protocol violations are expected.
    }
}

/// Asks the fuzzingserver to write its reports.
func updateReports(base: String, options: ClientOptions) async throws {
    let ws = try await WebSocket.connect(
        to: base + "/updateReports?agent=\(options.agent)", configuration: autobahnConfiguration(trustRoots: options.trustRoots))
    for try await _ in ws.messages {}
}

func runClient(base: String, options: ClientOptions) async throws {
    let count = try await caseCount(base: base, options: options)
    print("autobahn: \(count) cases")
    for number in 1...max(count, 1) where count > 0 {
        await runCase(base: base, number: number, options: options)
        if number % 50 == 0 { print("autobahn: \(number)/\(count)") }
    }
    try await updateReports(base: base, options: options)
    print("autobahn: reports updated")
}

/// Echoes every message on 127.0.0.1:`port` until killed; with `handler`, through
/// `handleMessages` (the synchronous, in-place path) instead of `for try await`.
func runServer(port: Int, handler: Bool) async throws {
    var configuration = WebSocketServer.Configuration()
    configuration.port = port
    configuration.connection = autobahnConfiguration()
    let server = try WebSocketServer.start(configuration: configuration) { ws in
        do {
            if handler {
                try await ws.handleMessages { message in try ws.sendNow(message) }
            } else {
                for try await message in ws.messages { try await ws.send(message) }
            }
        } catch {
            // Protocol violations are the suite's business; the Core already closed correctly.
        }
    }
    print("autobahn: echo server on port \(server.port)")
    while true { try await Task.sleep(for: .seconds(3600)) }
}

let arguments = CommandLine.arguments
let clientOptions = ClientOptions(arguments.dropFirst(3))
do {
    switch (arguments.count >= 3 ? arguments[1] : "", arguments.count >= 3 ? arguments[2] : "", clientOptions) {
    case ("client", let base, let options?):
        try await runClient(base: base, options: options)
    case ("server", let port, _) where Int(port) != nil && arguments.count == 3:
        try await runServer(port: Int(port) ?? 0, handler: false)
    case ("server", let port, _) where Int(port) != nil && arguments.count == 4 && arguments[3] == "--handler":
        try await runServer(port: Int(port) ?? 0, handler: true)
    default:
        print("usage: AutobahnDriver client ws[s]://127.0.0.1:9001 [--agent NAME] [--ca PEM_FILE] | AutobahnDriver server 9002 [--handler]")
        exit(2)
    }
} catch {
    print("autobahn driver failed: \(error)")
    exit(1)
}
