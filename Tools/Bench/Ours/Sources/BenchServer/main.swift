// BenchServer: our echo server for the loopback benchmark (`make bench`).
//
//     BenchServer [--port N] [--loops N] [--max-queued N] [--handler] [--tls-cert PEM --tls-key PEM]
//
// --handler: echo with `handleMessages` (a synchronous handler on the loop, payloads borrowed
// from the read buffer, `sendNow`) instead of the `for try await` loop of README's example.
// --tls-cert/--tls-key: serve wss:// (`configuration.tls`, the library's TLS server defaults)
// with this certificate chain and key.
// Echoes every message back as it came (text stays text). Limits are raised to 16 MiB so the
// 1 MiB rows fit; everything else is the library's default configuration. Prints
// `PORT <n>` once listening, then serves until killed.
import Glibc
import SwiftWebSocket

var port = 0
var loops = 1
var maxQueued: Int?
var tlsCertificate: String?
var tlsKey: String?
var usesHandler = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--loops": loops = Int(arguments.next() ?? "") ?? 1
    case "--max-queued": maxQueued = Int(arguments.next() ?? "")
    case "--tls-cert": tlsCertificate = arguments.next()
    case "--tls-key": tlsKey = arguments.next()
    case "--handler": usesHandler = true
    default:
        print("usage: BenchServer [--port N] [--loops N] [--max-queued N] [--handler] [--tls-cert PEM --tls-key PEM]")
        exit(2)
    }
}

var configuration = WebSocketServer.Configuration()
configuration.port = port
configuration.eventLoopCount = loops
configuration.backlog = 4096
configuration.connection.connection.maxFrameSize = 16 << 20
configuration.connection.connection.maxMessageSize = 16 << 20
if let maxQueued { configuration.connection.maxQueuedMessages = maxQueued }
if let tlsCertificate, let tlsKey {
    let identity = try TLSIdentity(certificateChainFile: tlsCertificate, privateKeyFile: tlsKey)
    configuration.tls = TLSServerConfiguration(identity: identity)
}

/// The echo loop, as README.md shows it.
@Sendable func echo(_ ws: WebSocket) async {
    do {
        for try await message in ws.messages {
            try await ws.send(message)
        }
    } catch {
        // A benchmark client that resets its connection is not news.
    }
}

/// The echo with a synchronous handler: no copy in, one copy out, no allocation, no task switch.
@Sendable func echoInPlace(_ ws: WebSocket) async {
    do {
        try await ws.handleMessages { message in try ws.sendNow(message) }
    } catch {
        // As above.
    }
}

// Handlers run on their connection's event loop (the library's behaviour).
let inPlace = usesHandler
let server = try WebSocketServer.start(configuration: configuration) { ws in
    if inPlace { await echoInPlace(ws) } else { await echo(ws) }
}
print("PORT \(server.port)")
fflush(nil)
while true { try await Task.sleep(for: .seconds(3600)) }
