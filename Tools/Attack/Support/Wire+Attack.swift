#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
/// Handshakes and frames as the attacker writes them (masked, as a client must), and a reader
/// for the server's unmasked frames.
public enum AttackWire {
    /// The key of RFC 6455 §1.3.
    public static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    /// A valid upgrade request with `extraHeaders` (full lines, without CRLF).
    public static func upgradeRequest(path: String = "/", extraHeaders: [String] = []) -> [UInt8] {
        let lines = ["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13"] + extraHeaders
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// One masked frame (masking key 37 fa 21 3d); `rsv` in header-byte position (0x40 = RSV1).
    public static func frame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        appendFrame(opcode, payload, fin: fin, rsv: rsv, to: &bytes)
        return bytes
    }

    /// Appends one masked frame to `bytes` (no intermediate arrays: floods build megabytes).
    public static func appendFrame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, to bytes: inout [UInt8]) {
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        bytes.append((fin ? 0x80 : 0) | rsv | opcode)
        switch payload.count {
        case 0...125:
            bytes.append(0x80 | UInt8(payload.count))
        case 126...0xFFFF:
            bytes.append(0x80 | 126)
            bytes.append(UInt8(payload.count >> 8))
            bytes.append(UInt8(payload.count & 0xFF))
        default:
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        bytes += key
        for (index, byte) in payload.enumerated() { bytes.append(byte ^ key[index & 3]) }
    }
}

/// Reads the server's frames (unmasked) from bytes as they arrive.
public struct ServerFrameReader {
    /// One frame the server sent.
    public struct Frame: Sendable {
        public let opcode: UInt8
        public let isFinal: Bool
        public let payload: [UInt8]

        /// The close code of a close frame, if it has one.
        public var closeCode: Int? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return Int(payload[0]) << 8 | Int(payload[1])
        }
    }

    private var buffer: [UInt8] = []

    public init(_ initial: [UInt8] = []) { buffer = initial }

    /// Adds received bytes.
    public mutating func feed(_ bytes: [UInt8]) { buffer += bytes }

    /// The next complete frame, if any.
    public mutating func next() -> Frame? {
        guard buffer.count >= 2 else { return nil }
        var length = Int(buffer[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            offset = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard buffer.count >= offset + length else { return nil }
        let frame = Frame(opcode: buffer[0] & 0x0F, isFinal: buffer[0] & 0x80 != 0,
                          payload: Array(buffer[offset..<(offset + length)]))
        buffer.removeFirst(offset + length)
        return frame
    }
}

extension RawSocket {
    /// Sends a valid upgrade request and checks the 101; returns any frame bytes after it.
    public func upgrade(path: String = "/", extraHeaders: [String] = []) throws(AttackError) -> (head: String, rest: [UInt8]) {
        try send(AttackWire.upgradeRequest(path: path, extraHeaders: extraHeaders))
        let response = try readHead()
        guard response.head.hasPrefix("HTTP/1.1 101 ") else { throw AttackError("upgrade refused: \(response.head)") }
        return response
    }

    /// Reads frames until one with `opcode` arrives (others are skipped); nil if the server
    /// closed or `timeout` passed first.
    public func awaitFrame(_ opcode: UInt8, reader: inout ServerFrameReader, timeout: Duration = .seconds(10)) throws(AttackError) -> ServerFrameReader.Frame? {
        let deadline = ContinuousClock.now + timeout
        while true {
            while let frame = reader.next() {
                if frame.opcode == opcode { return frame }
            }
            guard ContinuousClock.now < deadline,
                  let bytes = try receive(timeout: deadline - ContinuousClock.now), !bytes.isEmpty else { return nil }
            reader.feed(bytes)
        }
    }
}
#endif
