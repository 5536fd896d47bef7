// HBClient: hummingbird's WSClient as a benchmark client (`make bench`), same options and
// output as BenchClient (Tools/Bench/Ours/Sources/BenchClient):
//
//     HBClient --url ws://127.0.0.1:PORT/ [--mode stream|handshake] [--conns C] [--inflight W]
//              [--size S] [--kind binary|text|json] [--payload FILE] [--duration S] [--warmup S]
//              [--deflate] [--ca FILE] [--server-name NAME]
//
// --ca FILE: for wss:// URLs, the CA the server's certificate must chain to (swift-nio-ssl's
// `TLSConfiguration.makeClientConfiguration()` with these trust roots; verification stays on).
// --server-name NAME: the name sent in SNI and verified (`sniHostname`): WSClient sends the URL's
// host otherwise, and swift-nio-ssl refuses an IP address there (RFC 6066 §3), so wss://127.0.0.1
// needs `--server-name localhost`.
import Glibc
import HummingbirdTLS
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
import Synchronization

struct Options: Sendable {
    var url = "ws://127.0.0.1:9000/"
    var mode = "stream"
    var conns = 1
    var inflight = 1
    var size = 16
    var kind = "binary"
    var payloadFile: String?
    var duration = 2.0
    var warmup = 0.3
    var deflate = false
    var caFile: String?
    var serverName: String?
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        if argument == "--deflate" { options.deflate = true; continue }
        let value = arguments.next() ?? ""
        switch argument {
        case "--url": options.url = value
        case "--mode": options.mode = value
        case "--conns": options.conns = Int(value) ?? 1
        case "--inflight": options.inflight = Int(value) ?? 1
        case "--size": options.size = Int(value) ?? 16
        case "--kind": options.kind = value
        case "--payload": options.payloadFile = value
        case "--duration": options.duration = Double(value) ?? 2
        case "--warmup": options.warmup = Double(value) ?? 0.3
        case "--ca": options.caFile = value
        case "--server-name": options.serverName = value
        default:
            print("unknown option \(argument)")
            exit(2)
        }
    }
    return options
}

func payload(_ options: Options) -> [UInt8] {
    if let file = options.payloadFile {
        guard let handle = fopen(file, "rb") else { fatalError("cannot open \(file)") }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, handle)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
    if options.kind == "text" {
        return (0..<options.size).map { UInt8(ascii: "a") &+ UInt8($0 % 26) }
    }
    return (0..<options.size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

final class Counters: Sendable {
    let received = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
}

let maxSize = 16 << 20
let options = parseOptions()
let bytes = payload(options)
let isBinary = options.kind == "binary"
let text = String(decoding: bytes, as: UTF8.self)
let buffer = ByteBuffer(bytes: bytes)
let counters = Counters()
var logger = Logger(label: "HBClient")
logger.logLevel = .critical
let clientLogger = logger
let tlsConfiguration: TLSConfiguration? = options.caFile.map { file in
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .file(file)
    return tls
}

func configuration() -> WebSocketClientConfiguration {
    WebSocketClientConfiguration(
        maxFrameSize: maxSize,
        extensions: options.deflate ? [.perMessageDeflate(noContextTakeover: false, maxDecompressedFrameSize: maxSize, minFrameSizeToCompress: 16)] : [],
        autoPing: .disabled,
        sniHostname: options.serverName
    )
}

/// A sender task and the receiving loop (one task that sends, then receives, deadlocks once both
/// directions' bounded buffers fill): each echo grants the sender one more message.
func stream() async {
    do {
        try await WebSocketClient.connect(url: options.url, configuration: configuration(), tlsConfiguration: tlsConfiguration, logger: clientLogger) { inbound, outbound, _ in
            let (credits, grant) = AsyncStream.makeStream(of: Void.self)
            let sender = Task {
                for _ in 0..<options.inflight {
                    if isBinary { try await outbound.write(.binary(buffer)) } else { try await outbound.write(.text(text)) }
                }
                for await _ in credits {
                    if isBinary { try await outbound.write(.binary(buffer)) } else { try await outbound.write(.text(text)) }
                }
            }
            var outstanding = options.inflight
            for try await message in inbound.messages(maxSize: maxSize) {
                outstanding -= 1
                switch message {
                case .binary(let received): if received != buffer { counters.errors.add(1, ordering: .relaxed) }
                case .text(let received): if received != text { counters.errors.add(1, ordering: .relaxed) }
                }
                counters.received.add(1, ordering: .relaxed)
                if !counters.stop.load(ordering: .relaxed) {
                    grant.yield()
                    outstanding += 1
                }
                if outstanding == 0 { break }
            }
            grant.finish()
            try await sender.value
        }
    } catch {
        counters.errors.add(1, ordering: .relaxed)
    }
}

func handshakes() async {
    while !counters.stop.load(ordering: .relaxed) {
        do {
            try await WebSocketClient.connect(url: options.url, configuration: configuration(), tlsConfiguration: tlsConfiguration, logger: clientLogger) { _, _, _ in }
            counters.received.add(1, ordering: .relaxed)
        } catch {
            counters.errors.add(1, ordering: .relaxed)
        }
    }
}

async let work: Void = withTaskGroup(of: Void.self) { group in
    for _ in 0..<options.conns {
        group.addTask {
            if options.mode == "handshake" { await handshakes() } else { await stream() }
        }
    }
}
try await Task.sleep(for: .milliseconds(Int(options.warmup * 1000)))
let startCount = counters.received.load(ordering: .relaxed)
let start = now()
try await Task.sleep(for: .milliseconds(Int(options.duration * 1000)))
let endCount = counters.received.load(ordering: .relaxed)
let elapsed = now() - start
counters.stop.store(true, ordering: .relaxed)
await work
print("{\"messages\": \(endCount - startCount), \"seconds\": \(elapsed), \"errors\": \(counters.errors.load(ordering: .relaxed))}")
