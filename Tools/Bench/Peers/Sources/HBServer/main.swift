// HBServer: hummingbird-websocket's echo server, a benchmark peer (`make bench`).
//
//     HBServer [--port N] [--threads N] [--tls-cert PEM --tls-key PEM]
//
// The library's documented server (`.http1WebSocketUpgrade`) on a NIO event loop group of
// `--threads` threads, frames up to 16 MiB, permessage-deflate offered, auto-ping off.
// --tls-cert/--tls-key: wss:// through HummingbirdTLS (`.tls(…, tlsConfiguration:)`, swift-nio-ssl
// with its BoringSSL, `TLSConfiguration.makeServerConfiguration` defaults).
// Prints `PORT <n>` once listening.
import Glibc
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOPosix

var port = 0
var threads = 1
var tlsCertificate: String?
var tlsKey: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--threads": threads = Int(arguments.next() ?? "") ?? 1
    case "--tls-cert": tlsCertificate = arguments.next()
    case "--tls-key": tlsKey = arguments.next()
    default:
        print("usage: HBServer [--port N] [--threads N] [--tls-cert PEM --tls-key PEM]")
        exit(2)
    }
}

let maxSize = 16 << 20
var logger = Logger(label: "HBServer")
logger.logLevel = .critical
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let webSocketServer: HTTPServerBuilder = .http1WebSocketUpgrade(
    configuration: .init(ws: .init(
        maxFrameSize: maxSize,
        extensions: [.perMessageDeflate(maxDecompressedFrameSize: maxSize)],
        autoPing: .disabled
    ))
) { _, _, _ in
    .upgrade([:]) { inbound, outbound, _ in
        for try await message in inbound.messages(maxSize: maxSize) {
            switch message {
            case .text(let text): try await outbound.write(.text(text))
            case .binary(let buffer): try await outbound.write(.binary(buffer))
            }
        }
    }
}

var server = webSocketServer
if let tlsCertificate, let tlsKey {
    let tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(tlsCertificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: tlsKey, format: .pem)))
    server = try .tls(webSocketServer, tlsConfiguration: tls)
}
let app = Application(
    router: Router(),
    server: server,
    configuration: .init(address: .hostname("127.0.0.1", port: port), backlog: 4096),
    onServerRunning: { channel in
        print("PORT \(channel.localAddress?.port ?? 0)")
        fflush(nil)
    },
    eventLoopGroupProvider: .shared(group),
    logger: logger
)
try await app.runService()
