#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Socket system calls. Every one sets up its C arguments, goes through the funnel, and returns
// Swift values; no pointer escapes.
extension Syscall {
    #if canImport(Darwin)
    static let streamType = SOCK_STREAM
    /// Darwin has no `MSG_NOSIGNAL`; sockets get `SO_NOSIGPIPE` instead.
    static let noSignal: Int32 = 0
    #else
    static let streamType = Int32(SOCK_STREAM.rawValue)
    /// `MSG_NOSIGNAL`: a write to a closed connection fails with `EPIPE` instead of raising SIGPIPE.
    static let noSignal = Int32(MSG_NOSIGNAL)
    #endif
    static let tcpLevel = Int32(IPPROTO_TCP)
    static let shutdownWriteHow = Int32(SHUT_WR)

    static func familyCode(_ family: SocketAddress.Family) -> Int32 {
        switch family {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        case .unix: AF_UNIX
        }
    }

    /// A non-blocking, close-on-exec TCP socket.
    static func socket(_ family: SocketAddress.Family) throws(TransportError) -> Int32 {
        #if canImport(Darwin)
        let descriptor = try call("socket") { Darwin.socket(familyCode(family), streamType, 0) }
        do {
            try setNonBlockingAndCloseOnExec(descriptor)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
        #else
        let flags = streamType | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return try call("socket") { Glibc.socket(familyCode(family), flags, 0) }
        #endif
    }

    /// `setsockopt` of an `Int32` option.
    static func setOption(
        _ descriptor: Int32, level: Int32, name: Int32, value: Int32, call callName: String = "setsockopt"
    ) throws(TransportError) {
        var value = value
        _ = try call(callName) {
            setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// `getsockopt(SO_ERROR)`: the pending error of a socket, nil when there is none.
    static func pendingError(_ descriptor: Int32) throws(TransportError) -> Errno? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try call("getsockopt") { getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length) }
        return value == 0 ? nil : Errno(rawValue: value)
    }

    /// Starts a non-blocking `connect`. Returns true when already connected, false when in progress.
    static func connect(_ descriptor: Int32, to address: SocketAddress) throws(TransportError) -> Bool {
        let result = address.withSockaddr { pointer, length in
            retrying {
                #if canImport(Darwin)
                Darwin.connect(descriptor, pointer, length)
                #else
                Glibc.connect(descriptor, pointer, length)
                #endif
            }
        }
        switch result {
        case .success: return true
        case .failure(.inProgress): return false
        case .failure(let error): throw .system("connect", error, endpoint: address.description)
        }
    }

    /// `chmod(2)`: a Unix socket file's permissions.
    static func changeMode(_ path: String, _ mode: UInt32, endpoint: String) throws(TransportError) {
        if case .failure(let error) = retrying({ chmod(path, mode_t(mode)) }) {
            throw .system("chmod", error, endpoint: endpoint)
        }
    }

    /// `bind(2)`.
    static func bind(_ descriptor: Int32, to address: SocketAddress) throws(TransportError) {
        let result = address.withSockaddr { pointer, length in
            retrying {
                #if canImport(Darwin)
                Darwin.bind(descriptor, pointer, length)
                #else
                Glibc.bind(descriptor, pointer, length)
                #endif
            }
        }
        if case .failure(let error) = result { throw .system("bind", error, endpoint: address.description) }
    }

    /// `listen(2)`.
    static func listen(_ descriptor: Int32, backlog: Int) throws(TransportError) {
        let clamped = Int32(clamping: max(0, backlog))
        _ = try call("listen") {
            #if canImport(Darwin)
            Darwin.listen(descriptor, clamped)
            #else
            Glibc.listen(descriptor, clamped)
            #endif
        }
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket, with the peer's address.
    static func accept(_ descriptor: Int32) -> Result<IOResult<(Int32, SocketAddress?)>, Errno> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                retrying {
                    #if os(Linux) && canImport(Glibc)
                    if let accepted = accept4(descriptor, address, &length) { return accepted }
                    #endif
                    return acceptPlain(descriptor, address, &length)
                }
            }
        }
        switch result {
        case .failure(let error) where error == .wouldBlock || error.rawValue == EWOULDBLOCK:
            return .success(.wouldBlock)
        case .failure(let error):
            return .failure(error)
        case .success(let accepted):
            if !acceptSetsFlags {
                do { try setNonBlockingAndCloseOnExec(accepted) } catch {
                    close(accepted)
                    return .failure(error.errno ?? .badDescriptor)
                }
            }
            let peer = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0) }
            }
            return .success(.processed((accepted, peer)))
        }
    }

    /// Whether ``accept(_:)`` gets non-blocking, close-on-exec sockets atomically (`accept4`).
    private static var acceptSetsFlags: Bool {
        #if os(Linux) && canImport(Glibc)
        LinuxSymbols.accept4 != nil
        #else
        false
        #endif
    }

    private static func acceptPlain(
        _ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>
    ) -> Int32 {
        #if canImport(Darwin)
        Darwin.accept(descriptor, address, length)
        #elseif canImport(Glibc)
        Glibc.accept(descriptor, address, length)
        #else
        Musl.accept(descriptor, address, length)
        #endif
    }

    /// `getsockname` (local: true) or `getpeername` (local: false).
    static func address(of descriptor: Int32, local: Bool) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                let status = local
                    ? getsockname(descriptor, address, &length) : getpeername(descriptor, address, &length)
                return status == 0 ? SocketAddress(address) : nil
            }
        }
    }

    /// `send(2)` with `MSG_NOSIGNAL`.
    static func send(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(TransportError) -> IOResult<Int> {
        try io("send") {
            #if canImport(Darwin)
            Darwin.send(descriptor, bytes.baseAddress, bytes.count, noSignal)
            #else
            Glibc.send(descriptor, bytes.baseAddress, bytes.count, noSignal)
            #endif
        }
    }

    /// `recv(2)` into `buffer`, no flags.
    static func receive(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> IOResult<Int> {
        try io("recv") {
            #if canImport(Darwin)
            Darwin.recv(descriptor, buffer.baseAddress, buffer.count, 0)
            #else
            Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0)
            #endif
        }
    }

    /// `recv(2)` with `MSG_PEEK`: the bytes stay in the socket for the next read.
    static func peek(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> IOResult<Int> {
        try io("recv") {
            #if canImport(Darwin)
            Darwin.recv(descriptor, buffer.baseAddress, buffer.count, MSG_PEEK)
            #else
            Glibc.recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_PEEK))
            #endif
        }
    }

    /// A gathered write: `writev` semantics through `sendmsg`, which (unlike `writev`) takes
    /// `MSG_NOSIGNAL`, so a write to a closed peer can never raise SIGPIPE.
    static func sendGathered(
        _ descriptor: Int32, _ vectors: UnsafeMutableBufferPointer<iovec>
    ) throws(TransportError) -> IOResult<Int> {
        var message = msghdr()
        message.msg_iov = vectors.baseAddress
        #if canImport(Darwin)
        message.msg_iovlen = Int32(vectors.count)
        #else
        message.msg_iovlen = vectors.count
        #endif
        return try io("writev") { sendmsg(descriptor, &message, noSignal) }
    }

    /// `shutdown(SHUT_WR)`: sends FIN after the queued bytes.
    static func shutdownWrite(_ descriptor: Int32) throws(TransportError) {
        _ = try call("shutdown") {
            #if canImport(Darwin)
            Darwin.shutdown(descriptor, shutdownWriteHow)
            #else
            Glibc.shutdown(descriptor, shutdownWriteHow)
            #endif
        }
    }
}
