import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketFraming
import WebSocketTestSupport
@testable import PerMessageDeflate

/// RFC 7692 §7.1.2: window sizes, and the 8-bit window that zlib ≥ 1.2.9 cannot compress with.
@Suite("RFC 7692 §7.1.2 Limiting the LZ77 sliding window")
struct WindowBitsTests {
    /// A peer's inflater with a `bits`-bit window, fed message by message as the RFC says.
    struct PeerInflater: ~Copyable {
        var stream: ZlibStream

        init(bits: Int) throws {
            stream = try ZlibStream.inflater(windowBits: bits)
        }

        mutating func inflate(_ payload: [UInt8]) throws -> [UInt8] {
            var output: [UInt8] = []
            _ = try stream.inflate(payload, appendingTo: &output, maxCount: 1 << 24)
            _ = try stream.inflate([0x00, 0x00, 0xFF, 0xFF], appendingTo: &output, maxCount: 1 << 24)
            return output
        }
    }

    /// Messages whose repeats sit 300 bytes apart, across message boundaries: a compressor
    /// with a large enough window refers back 300 bytes, which a 256-byte window cannot follow.
    static let messages: [[UInt8]] = {
        let block = randomBytes(300, seed: 11)
        return [block, block, block + block, Array(repeating: 0x41, count: 5000), block]
    }()

    @Test("Asked for 8 bits, we compress in run-length mode, which an 8-bit inflater decodes")
    func eightBitsDecodesWithA256ByteWindow() throws {
        var sender = PerMessageDeflateExtension(settings: DeflateSettings(outgoingMaxWindowBits: 8, compressionThreshold: 0))
        var peer = try PeerInflater(bits: 8)
        for message in Self.messages {
            let frame = try sender.encode(Frame(opcode: .binary, payload: message), context: EncodingContext())
            #expect(try peer.inflate(frame.payload) == message)
        }
    }

    /// zlib's 9-bit output happens to reach back at most 250 bytes (`MAX_DIST` is the window
    /// minus 262), so the control uses 10 bits, where matches reach 300 bytes back.
    @Test("Control: ordinary 10-bit output does not decode with an 8-bit window")
    func tenBitsNeedsMoreThanEight() throws {
        var sender = PerMessageDeflateExtension(settings: DeflateSettings(outgoingMaxWindowBits: 10, compressionThreshold: 0))
        var peer = try PeerInflater(bits: 8)
        var failed = false
        for message in Self.messages {
            let frame = try sender.encode(Frame(opcode: .binary, payload: message), context: EncodingContext())
            do {
                if try peer.inflate(frame.payload) != message { failed = true }
            } catch {
                failed = true
                break
            }
        }
        #expect(failed, "the 8-bit test above would prove nothing if 9-bit output decoded too")
    }

    @Test("Run-length mode still compresses runs")
    func runLengthCompresses() throws {
        var sender = PerMessageDeflateExtension(settings: DeflateSettings(outgoingMaxWindowBits: 8, compressionThreshold: 0))
        let frame = try sender.encode(Frame(opcode: .binary, payload: Array(repeating: 0x41, count: 10_000)), context: EncodingContext())
        #expect(frame.payload.count < 100)
    }

    @Test("Every window from 9 to 15 decodes with a window of the same size", arguments: 9...15)
    func windowDecodesWithSameSize(_ bits: Int) throws {
        var sender = PerMessageDeflateExtension(settings: DeflateSettings(outgoingMaxWindowBits: bits, compressionThreshold: 0))
        var peer = try PeerInflater(bits: bits)
        for message in Self.messages + [sampleText(100_000)] {
            let frame = try sender.encode(Frame(opcode: .binary, payload: message), context: EncodingContext())
            #expect(try peer.inflate(frame.payload) == message)
        }
    }

    @Test("Autobahn 13.3 as a client: the server answers client_max_window_bits=8")
    func clientAskedForEightBits() throws {
        var client = try deflateClient(PerMessageDeflate(compressionThreshold: 0), response: "client_max_window_bits=8")
        var peer = try PeerInflater(bits: 8)
        for message in Self.messages {
            try client.send(binary: message)
            let frames = try client.sentFrames()
            #expect(try peer.inflate(frames[0].payload) == message)
        }
    }

    @Test("Autobahn 13.3 as a server: the client offers server_max_window_bits=8")
    func serverAskedForEightBits() throws {
        // Our own client never offers 8; this is the offer Autobahn sends.
        var server = try deflateServer(PerMessageDeflate(compressionThreshold: 0),
                                       offer: "client_no_context_takeover; client_max_window_bits; server_max_window_bits=8")
        var peer = try PeerInflater(bits: 8)
        for message in Self.messages {
            try server.send(binary: message)
            let frames = try server.sentFrames()
            #expect(try peer.inflate(frames[0].payload) == message)
        }
    }

    @Test("The client's default offer", arguments: [
        (PerMessageDeflate(), "permessage-deflate; client_max_window_bits"),
        (PerMessageDeflate(serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12),
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"),
        (PerMessageDeflate(serverMaxWindowBits: 8, clientMaxWindowBits: 20), "permessage-deflate; server_max_window_bits=9; client_max_window_bits=15"),
        (PerMessageDeflate(offersClientMaxWindowBits: false), "permessage-deflate"),
    ])
    func clientOffer(_ deflate: PerMessageDeflate, _ header: String) throws {
        var client = try Connection.client(host: "h", configuration: deflateConfiguration(deflate), random: SeededRandom(seed: 1))
        let request = String(decoding: client.takeOutput(), as: UTF8.self)
        #expect(request.contains("\r\nSec-WebSocket-Extensions: \(header)\r\n"))
    }

    @Test("Memory per connection at the defaults")
    func memoryEstimate() {
        let settings = PerMessageDeflate().settings(
            outgoingWindowBits: 15, outgoingNoContextTakeover: false, incomingWindowBits: 15, incomingNoContextTakeover: false)
        #expect(settings.compressorMemory == 262_144 + 6_144)
        #expect(DeflateSettings.decompressorMemory == 32_768 + 7_168)
        let small = DeflateSettings(outgoingMaxWindowBits: 12, memoryLevel: 5)
        #expect(small.compressorMemory == 16_384 + 16_384 + 6_144)
    }
}
