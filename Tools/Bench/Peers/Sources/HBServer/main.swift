// HBServer: hummingbird-websocket's echo server, a benchmark peer (`make bench`).
//
//     HBServer [--port N] [--threads N]
//
// The library's documented server (`.http1WebSocketUpgrade`) on a NIO event loop group of
// `--threads` threads, frames up to 16 MiB, permessage-deflate offered, auto-ping off.
// Prints `PORT <n>` once listening.
import Glibc
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOPosix

var port = 0
var threads = 1
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--threads": threads = Int(arguments.next() ?? "") ?? 1
    default:
        print("usage: HBServer [--port N] [--threads N]")
        exit(2)
    }
}

let maxSize = 16 << 20
var logger = Logger(label: "HBServer")
logger.logLevel = .critical
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let app = Application(
    router: Router(),
    server: .http1WebSocketUpgrade(
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
    },
    configuration: .init(address: .hostname("127.0.0.1", port: port), backlog: 4096),
    onServerRunning: { channel in
        print("PORT \(channel.localAddress?.port ?? 0)")
        fflush(nil)
    },
    eventLoopGroupProvider: .shared(group),
    logger: logger
)
try await app.runService()
