import Foundation
import WebSocketTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A blocking raw TCP client for tests that must speak broken HTTP.
enum RawClient {
    /// Sends `request` and returns everything the server sends until it closes.
    ///
    /// Without `waitForClose`, 5 s of silence also ends the exchange. With it, only the server's
    /// close does: silence for `closeTimeout` throws, so a test of a server-side timeout checks
    /// that the server closed rather than how long it took (wall-clock bounds are flaky under
    /// TSan on two cores; a CI run saw a 300 ms timer observed after more than 3 s).
    /// Runs on a thread of its own: a blocking `recv` on one of the cooperative pool's two
    /// threads would stall every test running in parallel (see `PythonClientTests`).
    static func exchange(port: Int, request: String, waitForClose: Bool = false) async throws -> String {
        String(decoding: try await exchange(port: port, bytes: Array(request.utf8), waitForClose: waitForClose), as: UTF8.self)
    }

    /// The lines of the body a test peer answers `GET path` with (the requests a proxy fixture
    /// saw), read until the peer closes.
    static func bodyLines(port: Int, path: String) async throws -> [String] {
        let response = try await exchange(port: port, request: "GET \(path) HTTP/1.1\r\nHost: peer\r\n\r\n", waitForClose: true)
        let body = response.split(separator: "\r\n\r\n", maxSplits: 1).dropFirst().first ?? ""
        return body.split(separator: "\n").map(String.init)
    }

    /// ``exchange(port:request:waitForClose:)`` with raw bytes both ways; `later`, if given, is
    /// sent `delay` after `bytes` (e.g. a frame once the server's handler is in place).
    static func exchange(
        port: Int, bytes: [UInt8], later: [UInt8] = [], delay: Duration = .zero, waitForClose: Bool = false
    ) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try exchangeBlocking(port: port, request: bytes, later: later, delay: delay, waitForClose: waitForClose)
                })
            }
        }
    }

    /// Sends `request`, then as many bytes as the server lets through, up to `limit`, without
    /// reading: returns how many went out before the sockets stayed full for `stall` (300 ms).
    /// A server that stops reading takes only what the two sockets' buffers hold.
    static func stuff(port: Int, request: [UInt8], limit: Int) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try stuffBlocking(port: port, request: request, limit: limit) })
            }
        }
    }

    private static func stuffBlocking(port: Int, request: [UInt8], limit: Int) throws -> Int {
        let fd = try connected(port: port, receiveTimeout: 5)
        defer { close(fd) }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let chunk = [UInt8](repeating: 0x42, count: 64 * 1024)
        var sent = 0
        while sent < limit {
            let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 { sent += count; continue }
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK else { break }
            var pending = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&pending, 1, 300) == 0 { break }  // the server reads nothing more
        }
        return sent
    }

    /// A connection that has sent `bytes` and is left open: for tests that need one held while
    /// others come (close it with ``close(_:)``). Blocking, but a loopback connect and a small
    /// send do not wait.
    static func open(port: Int, sending bytes: [UInt8]) throws -> Int32 {
        let fd = try connected(port: port, receiveTimeout: 5)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// Reads a connection of ``open(port:sending:)`` until the server's EOF or 5 s of silence,
    /// on a thread of its own, leaving it open: the bytes, and whether the server's EOF ended
    /// them.
    static func readUntilEOF(_ fd: Int32) async -> (bytes: [UInt8], atEOF: Bool) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { return continuation.resume(returning: (received, count == 0)) }
                    received += buffer[0..<count]
                }
            }
        }
    }

    /// Sends more on a connection of ``open(port:sending:)`` (a small send: loopback takes it).
    static func sendMore(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes a connection of ``open(port:sending:)``.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// How long `exchange(waitForClose: true)` waits for the server to close.
    static let closeTimeout = 60

    private static func exchangeBlocking(
        port: Int, request bytes: [UInt8], later: [UInt8] = [], delay: Duration = .zero, waitForClose: Bool
    ) throws -> [UInt8] {
        let fd = try connected(port: port, receiveTimeout: waitForClose ? closeTimeout : 5)
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if !later.isEmpty {
            usleep(UInt32(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000))
            _ = later.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, waitForClose, errno == EAGAIN || errno == EWOULDBLOCK {
                throw PeerError("the server did not close within \(closeTimeout) s")
            }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received
    }

    /// A socket connected to 127.0.0.1:`port`, with a receive timeout in seconds.
    private static func connected(port: Int, receiveTimeout: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError("socket failed") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw PeerError("connect failed")
        }
        return fd
    }
}
