// BenchServer: our echo server for the loopback benchmark (`make bench`).
//
//     BenchServer [--port N] [--loops N] [--max-queued N] [--tls-cert PEM --tls-key PEM]
//
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
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--loops": loops = Int(arguments.next() ?? "") ?? 1
    case "--max-queued": maxQueued = Int(arguments.next() ?? "")
    case "--tls-cert": tlsCertificate = arguments.next()
    case "--tls-key": tlsKey = arguments.next()
    default:
        print("usage: BenchServer [--port N] [--loops N] [--max-queued N] [--tls-cert PEM --tls-key PEM]")
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

// Handlers run on their connection's event loop (the library's behaviour).
let server = try WebSocketServer.start(configuration: configuration) { ws in await echo(ws) }
print("PORT \(server.port)")
fflush(nil)
while true { try await Task.sleep(for: .seconds(3600)) }
