#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Glibc

/// A blocking TCP client over loopback that speaks raw bytes: the attacker of the attack tests.
/// It sends what no well-behaved client would (partial heads, floods, bombs) and reads what the
/// server answers, every wait bounded.
public final class RawSocket: @unchecked Sendable {
    /// The socket descriptor; closed by ``close()`` or on deinit.
    public private(set) var descriptor: Int32

    /// Connects to `127.0.0.1:port`.
    /// - Parameters:
    ///   - port: the server's port.
    ///   - receiveBufferSize: `SO_RCVBUF` to set before connecting (small: the server's writes
    ///     back up sooner when we never read).
    public init(port: Int, receiveBufferSize: Int? = nil) throws(AttackError) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw AttackError("socket: errno \(errno)") }
        if var size = receiveBufferSize.map(Int32.init) {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var noDelay: Int32 = 1  // every send is its own segment: the attacker sets the pace
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(descriptor)
            throw AttackError("connect to port \(port): errno \(errno)")
        }
    }

    deinit { close() }

    /// Closes the socket (idempotent).
    public func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Sends every byte, blocking while the socket buffer is full.
    /// - Throws: ``AttackError`` when the peer reset or closed (EPIPE, ECONNRESET).
    public func send(_ bytes: [UInt8]) throws(AttackError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw AttackError("send: errno \(errno)")
            }
            offset += sent
        }
    }

    /// Sends text as UTF-8.
    public func send(_ text: String) throws(AttackError) { try send(Array(text.utf8)) }

    /// Waits up to `timeout` for bytes; returns them, `[]` at end of stream, or nil on timeout.
    public func receive(timeout: Duration = .seconds(5), maxCount: Int = 65_536) throws(AttackError) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&poller, 1, milliseconds)
        guard ready > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: maxCount)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == ECONNRESET { return [] }
            throw AttackError("recv: errno \(errno)")
        }
        return Array(buffer[0..<count])
    }

    /// Reads until the server closes (or `timeout` passes): everything it sent.
    public func readUntilClosed(timeout: Duration = .seconds(5)) throws(AttackError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            guard let bytes = try receive(timeout: deadline - ContinuousClock.now) else { break }
            if bytes.isEmpty { return received }
            received += bytes
        }
        throw AttackError("the server did not close within \(timeout)")
    }

    /// Reads an HTTP response head; returns it and the bytes after it.
    public func readHead(timeout: Duration = .seconds(5)) throws(AttackError) -> (head: String, rest: [UInt8]) {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            if let end = Self.endOfHead(in: received) {
                return (String(decoding: received[..<end], as: UTF8.self), Array(received[end...]))
            }
            guard let bytes = try receive(timeout: deadline - ContinuousClock.now), !bytes.isEmpty else { break }
            received += bytes
        }
        throw AttackError("no complete response head (got \(received.count) bytes)")
    }

    static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index - 3] == 13 && bytes[index - 2] == 10
            && bytes[index - 1] == 13 && bytes[index] == 10 {
            return index + 1
        }
        return nil
    }

    /// Bytes still in our socket's send queue (`SIOCOUTQ`): on loopback, 0 once the server's
    /// socket has taken everything we sent.
    public var unsentCount: Int {
        var count: Int32 = 0
        _ = ioctl(descriptor, UInt(TIOCOUTQ), &count)
        return Int(count)
    }
}

/// A failure of the attacker itself (not a finding).
public struct AttackError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
#endif
