// BenchClient: our client driver for the loopback benchmark (`make bench`).
//
//     BenchClient --url ws://127.0.0.1:PORT/ [--mode stream|handshake] [--conns C]
//                 [--inflight W] [--size S] [--kind binary|text|json] [--payload FILE]
//                 [--duration SECONDS] [--warmup SECONDS] [--deflate] [--loop-executor]
//                 [--handler] [--ca FILE]
//
// stream: C connections, each keeping W messages of S bytes in flight through our public API
// (`send` plus `for try await … in ws.messages`); every echo is compared byte for byte.
// handshake: C tasks that connect, upgrade and close in a loop.
// --deflate: offer permessage-deflate (the library's default offer); without it compression is
// off, as for every other client in the table.
// --loop-executor: run the connection tasks on the client's event loop
// (`Task(executorPreference: loop.taskExecutor)`), the usage README recommends for throughput;
// without it they run on Swift's global pool, like most applications' code.
// --handler: receive with `handleMessages` (a synchronous handler on the loop, payloads
// borrowed) and answer each echo with `sendNow`, instead of `send` plus `for try await`.
// --ca FILE: for wss:// URLs, trust this PEM CA (`configuration.tls.trustRoots`) instead of the
// system's; certificate and host-name verification stay on, as always.
// Prints one JSON line: {"messages": N, "seconds": T, "errors": E}.
import Glibc
import SwiftWebSocket
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
    var loopExecutor = false
    var handler = false
    var deflate = false
    var caFile: String?
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        if argument == "--loop-executor" {
            options.loopExecutor = true
            continue
        }
        if argument == "--deflate" {
            options.deflate = true
            continue
        }
        if argument == "--handler" {
            options.handler = true
            continue
        }
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
        default:
            print("unknown option \(argument)")
            exit(2)
        }
    }
    return options
}

/// The payload every implementation uses: see Tools/Bench/README.md ("payloads").
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

/// Counters shared by the connection tasks.
final class Counters: Sendable {
    let received = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
}

/// The client's event loop (every connection runs on it).
let clientLoop = EventLoop(name: "bench-client")

func configuration(_ options: Options) -> WebSocket.Configuration {
    var configuration = WebSocket.Configuration()
    if !options.deflate { configuration.compression = nil }
    configuration.connection.maxFrameSize = 16 << 20
    configuration.connection.maxMessageSize = 16 << 20
    configuration.pingInterval = nil
    if let caFile = options.caFile { configuration.tls.trustRoots = .pemFile(caFile) }
    // A task waiting in `send` does not read, nor does a handler's connection while its output
    // is over the mark; with more in flight than the socket buffers hold (64 × 1 MiB), a peer
    // that stops reading while it cannot write (C ws_echo) would then wait for us as we wait
    // for it. The in-flight window is this application's own bound on what it buffers, so the
    // mark is raised to it and `send` never waits.
    configuration.writeHighWaterMark = max(configuration.writeHighWaterMark, options.inflight * max(options.size, 1024) * 2)
    return configuration
}

/// One connection keeping `inflight` messages in flight until told to stop, then draining: the
/// window goes out first, then each echo is answered from the receiving loop, as an
/// application would write it (`send` never waits: see `configuration(_:)`).
func stream(_ options: Options, _ message: Message, _ counters: Counters) async {
    do {
        let ws = try await WebSocket.connect(to: options.url, configuration: configuration(options), loop: clientLoop)
        if options.handler {
            try await pipelineInPlace(ws, options, message, counters)
        } else {
            try await pipeline(ws, options, message, counters)
        }
    } catch {
        counters.errors.add(1, ordering: .relaxed)
    }
}

func pipeline(_ ws: WebSocket, _ options: Options, _ message: Message, _ counters: Counters) async throws {
    do {
        for _ in 0..<options.inflight { try await ws.send(message) }
        var outstanding = options.inflight
        for try await echo in ws.messages {
            outstanding -= 1
            if echo != message { counters.errors.add(1, ordering: .relaxed) }
            counters.received.add(1, ordering: .relaxed)
            if !counters.stop.load(ordering: .relaxed) {
                try await ws.send(message)
                outstanding += 1
            }
            if outstanding == 0 { break }
        }
        try await ws.close()
    } catch {
        counters.errors.add(1, ordering: .relaxed)
    }
}

/// `pipeline` with a synchronous handler: each echo is checked where it lies and answered at
/// once on the loop; the first `inflight` messages go out with `send` from this task (a handler
/// installed first, so that their echoes are taken as they come).
func pipelineInPlace(_ ws: WebSocket, _ options: Options, _ message: Message, _ counters: Counters) async throws {
    let outstanding = Atomic<Int>(options.inflight)
    let handling = Task {
        try await ws.handleMessages { echo in
            let same = echo.kind == message.kind && echo.bytes.count == message.data.count
                && message.data.withUnsafeBytes { expected in
                    expected.isEmpty || memcmp(expected.baseAddress!, echo.bytes.baseAddress!, expected.count) == 0
                }
            if !same { counters.errors.add(1, ordering: .relaxed) }
            counters.received.add(1, ordering: .relaxed)
            if !counters.stop.load(ordering: .relaxed) {
                try ws.sendNow(message)
            } else if outstanding.subtract(1, ordering: .relaxed).newValue == 0 {
                Task { try? await ws.close() }
            }
        }
    }
    for _ in 0..<options.inflight { try await ws.send(message) }
    do {
        try await handling.value
    } catch {
        counters.errors.add(1, ordering: .relaxed)
    }
}

/// Connect, upgrade, close, again and again.
func handshakes(_ options: Options, _ counters: Counters) async {
    while !counters.stop.load(ordering: .relaxed) {
        do {
            let ws = try await WebSocket.connect(to: options.url, configuration: configuration(options), loop: clientLoop)
            try await ws.close()
            counters.received.add(1, ordering: .relaxed)
        } catch {
            counters.errors.add(1, ordering: .relaxed)
        }
    }
}

let options = parseOptions()
let bytes = payload(options)
let message: Message = options.kind == "binary" ? .binary(bytes) : .text(String(decoding: bytes, as: UTF8.self))
let counters = Counters()

async let work: Void = withTaskGroup(of: Void.self) { group in
    for _ in 0..<options.conns {
        group.addTask(executorPreference: options.loopExecutor ? clientLoop.taskExecutor : nil) {
            if options.mode == "handshake" { await handshakes(options, counters) }
            else { await stream(options, message, counters) }
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
