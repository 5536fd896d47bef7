// CodecBench: in-memory throughput of the WebSocketFraming codec.
//
//     swift run -c release CodecBench
//
// Prints a Markdown table. Each row warms up, then repeats its operation in batches for about
// half a second; results feed a sink so nothing is optimised away. The whole run takes ~10 s.

import WebSocketFraming

/// Accumulates results so the optimiser must compute them.
nonisolated(unsafe) var sink: UInt64 = 0

/// Seconds in a duration.
func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) * 1e-18
}

/// Runs `operation` (which processes `bytesPerOperation` bytes) for about `duration` seconds
/// after a short warm-up; returns operations per second.
func measure(bytesPerOperation: Int, duration: Double = 0.5, _ operation: () -> Void) -> Double {
    let clock = ContinuousClock()
    // Warm-up and calibration: find a batch size that takes about a millisecond.
    var batch = 1
    while true {
        let start = clock.now
        for _ in 0..<batch { operation() }
        if seconds(clock.now - start) > 0.001 || batch >= 1 << 24 { break }
        batch *= 2
    }
    let warmEnd = clock.now.advanced(by: .milliseconds(100))
    while clock.now < warmEnd { for _ in 0..<batch { operation() } }
    var operations = 0
    let start = clock.now
    var elapsed = 0.0
    while elapsed < duration {
        for _ in 0..<batch { operation() }
        operations += batch
        elapsed = seconds(clock.now - start)
    }
    return Double(operations) / elapsed
}

/// Formats a number with a fixed number of decimals, without Foundation.
func format(_ value: Double, decimals: Int = 2) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int(value * scale + 0.5)
    let whole = scaled / Int(scale), fraction = scaled % Int(scale)
    guard decimals > 0 else { return String(whole) }
    let digits = String(fraction)
    return "\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
}

/// Prints one table row.
func row(_ name: String, size: String, operationsPerSecond: Double, bytesPerOperation: Int) {
    let gigabytes = operationsPerSecond * Double(bytesPerOperation) / 1e9
    let rate = operationsPerSecond >= 1e6
        ? format(operationsPerSecond / 1e6) + " M/s" : format(operationsPerSecond / 1e3) + " k/s"
    print("| \(name) | \(size) | \(rate) | \(format(gigabytes)) |")
}

/// `count` random bytes.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

let sizes: [(String, Int)] = [("16 B", 16), ("1 KiB", 1024), ("64 KiB", 65536)]
let key = MaskingKey(0x37, 0xFA, 0x21, 0x3D)

print("| operation | size | rate | GB/s |")
print("|---|---|---|---|")

// MARK: Frame encode

for (label, size) in sizes {
    let frame = Frame(opcode: .binary, payload: randomBytes(size))
    var output: [UInt8] = []
    output.reserveCapacity(size + 14)
    let masked = measure(bytesPerOperation: size) {
        output.removeAll(keepingCapacity: true)
        FrameEncoder.encode(frame, maskingKey: key, into: &output)
        sink &+= UInt64(output[output.count - 1])
    }
    row("encode, masked (client)", size: label, operationsPerSecond: masked, bytesPerOperation: size)
    let unmasked = measure(bytesPerOperation: size) {
        output.removeAll(keepingCapacity: true)
        FrameEncoder.encode(frame, maskingKey: nil, into: &output)
        sink &+= UInt64(output[output.count - 1])
    }
    row("encode, unmasked (server)", size: label, operationsPerSecond: unmasked, bytesPerOperation: size)
}

// MARK: Frame decode: masked client frames, many per buffer, decoded by the server role

for (label, size) in sizes {
    let framesPerBuffer = max(16, (1 << 20) / (size + 14))
    var wire: [UInt8] = []
    let frame = Frame(opcode: .binary, payload: randomBytes(size))
    for _ in 0..<framesPerBuffer { FrameEncoder.encode(frame, maskingKey: key, into: &wire) }
    var input = InputBuffer()
    var decoder = FrameDecoder(role: .server, maxFrameSize: 1 << 20)
    let buffersPerSecond = measure(bytesPerOperation: wire.count) {
        input.append(contentsOf: wire)
        while let frame = try? decoder.decode(from: &input) { sink &+= UInt64(frame.payload.count) }
    }
    row("decode, masked (server)", size: label, operationsPerSecond: buffersPerSecond * Double(framesPerBuffer),
        bytesPerOperation: size)
}

// MARK: Masking, 1 MiB

var block = randomBytes(1 << 20)
let wordwise = measure(bytesPerOperation: block.count) {
    Masking.apply(key, to: &block, phase: 1)
    sink &+= UInt64(block[7])
}
row("mask in place, word-wise", size: "1 MiB", operationsPerSecond: wordwise, bytesPerOperation: block.count)
let bytewise = measure(bytesPerOperation: block.count) {
    Masking.applyBytewise(key, to: &block, phase: 1)
    sink &+= UInt64(block[7])
}
row("mask in place, byte-wise", size: "1 MiB", operationsPerSecond: bytewise, bytesPerOperation: block.count)
var copyDestination: [UInt8] = []
copyDestination.reserveCapacity(block.count)
let copying = measure(bytesPerOperation: block.count) {
    copyDestination.removeAll(keepingCapacity: true)
    Masking.copyApplying(key, from: block, range: 0..<block.count, appendingTo: &copyDestination)
    sink &+= UInt64(copyDestination[7])
}
row("copy + unmask, word-wise", size: "1 MiB", operationsPerSecond: copying, bytesPerOperation: block.count)

// MARK: UTF-8 validation, 1 MiB

func repeated(_ text: String, toCount count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    while bytes.count < count { bytes.append(contentsOf: text.utf8) }
    return bytes
}
let ascii = repeated("The quick brown fox jumps over the lazy dog. 0123456789\n", toCount: 1 << 20)
let mixed = repeated("Ελληνικά κόσμε, Кириллица, 日本語のテキスト, emoji 🎉🚀, plain ASCII too. ", toCount: 1 << 20)
let greek = repeated("κόσμε Ελληνικά γράμματα ", toCount: 1 << 20)
for (label, text) in [("UTF-8 validate, ASCII", ascii), ("UTF-8 validate, mixed", mixed), ("UTF-8 validate, Greek", greek)] {
    let rate = measure(bytesPerOperation: text.count) {
        var validator = UTF8Validator()
        sink &+= validator.validate(text) ? 1 : 0
    }
    row(label, size: "1 MiB", operationsPerSecond: rate, bytesPerOperation: text.count)
}
// Each vector kernel on its own (the rows above use the best one, `UTF8Validator.bestKernel`).
for kernel in UTF8Validator.availableKernels {
    let rate = measure(bytesPerOperation: greek.count) {
        var validator = UTF8Validator()
        sink &+= validator.validate(greek, range: 0..<greek.count, kernel: kernel) ? 1 : 0
    }
    row("UTF-8 validate, Greek, \(kernel) kernel", size: "1 MiB", operationsPerSecond: rate, bytesPerOperation: greek.count)
}
let stdlib = measure(bytesPerOperation: mixed.count) {
    sink &+= String(validating: mixed, as: UTF8.self) == nil ? 0 : 1
}
row("stdlib String(validating:), mixed (reference)", size: "1 MiB", operationsPerSecond: stdlib,
    bytesPerOperation: mixed.count)

print("\n(sink \(sink % 10))")
