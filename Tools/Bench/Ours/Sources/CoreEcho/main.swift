// CoreEcho: the sans-I/O core alone, echoing in memory (`make bench` reports it next to the
// loopback rows). It shows what the protocol engine costs per message when the I/O layer costs
// nothing: a server `Connection` receives batches of W masked frames (as one socket read would
// deliver them), every message event is sent back, and the output is taken into a reused buffer.
//
//     CoreEcho [--size S] [--batch W] [--kind binary|text] [--seconds T]
//
// Prints {"messages": N, "seconds": T, "ns_per_message": X}; under Tools/Bench's mallocount
// (LD_PRELOAD with MALLOCOUNT_FILE) also "allocs_per_message" of the measured window.
import Glibc
import WebSocketCore
import WebSocketFraming

var size = 16
var batch = 64
var kind = "binary"
var seconds = 1.0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    let value = arguments.next() ?? ""
    switch argument {
    case "--size": size = Int(value) ?? 16
    case "--batch": batch = Int(value) ?? 64
    case "--kind": kind = value
    case "--seconds": seconds = Double(value) ?? 1
    default: print("unknown option \(argument)"); exit(2)
    }
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

var configuration = Configuration()
configuration.maxFrameSize = 16 << 20
configuration.maxMessageSize = 16 << 20
var connection = Connection.server(configuration: configuration)
connection.receive(Array((
    "GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
while let event = connection.nextEvent() {
    if case .upgradeRequest = event { try connection.accept() }
}
var output: [UInt8] = []
connection.takeOutput(into: &output)
output.removeAll(keepingCapacity: true)

let payload: [UInt8] = kind == "text"
    ? (0..<size).map { UInt8(ascii: "a") &+ UInt8($0 % 26) }
    : (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
var frame: [UInt8] = []
FrameEncoder.encode(Frame(opcode: kind == "text" ? .text : .binary, payload: payload),
                    maskingKey: MaskingKey(0x37, 0xFA, 0x21, 0x3D), into: &frame)
var input: [UInt8] = []
for _ in 0..<batch { input.append(contentsOf: frame) }

var messages = 0
/// One socket read's worth: decode W frames, echo each, take the output (the driver's loop).
@MainActor func round() throws {
    connection.grantMessageCredit(batch)
    input.withUnsafeBytes { connection.receive($0) }
    while let event = connection.nextEvent() {
        if case .message(let message) = event {
            try connection.send(message)
            messages += 1
        }
    }
    connection.takeOutput(into: &output)
    output.removeAll(keepingCapacity: true)
}

/// The allocation counter of Tools/Bench/C/mallocount.c when this process runs under it.
let allocationCounter: UnsafePointer<UInt64>? = {
    guard let path = getenv("MALLOCOUNT_FILE") else { return nil }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    guard let map = mmap(nil, 32, PROT_READ, MAP_SHARED, descriptor, 0), map != MAP_FAILED else { return nil }
    return UnsafePointer(map.assumingMemoryBound(to: UInt64.self))
}()

let warmEnd = now() + 0.2
while now() < warmEnd { try round() }
messages = 0
let allocationsBefore = allocationCounter?.pointee ?? 0
let start = now()
var elapsed = 0.0
repeat {
    for _ in 0..<100 { try round() }
    elapsed = now() - start
} while elapsed < seconds
let allocations = (allocationCounter?.pointee ?? 0) &- allocationsBefore
print("{\"messages\": \(messages), \"seconds\": \(elapsed), \"ns_per_message\": \(elapsed / Double(messages) * 1e9)"
      + (allocationCounter == nil ? "}" : ", \"allocs_per_message\": \(Double(allocations) / Double(messages))}"))
