#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The owner of one TCP socket descriptor (DESIGN.md §5: resources are `~Copyable` owners).
///
/// Exactly one `Socket` owns a descriptor; ``close()`` or `deinit` releases it once. Sockets are
/// always non-blocking and close-on-exec.
struct Socket: ~Copyable {
    /// The descriptor, or -1 once closed.
    private(set) var descriptor: Int32

    /// Opens a non-blocking TCP socket of `family`.
    init(family: SocketAddress.Family) throws(TransportError) {
        let opened = try Syscall.socket(family)
        #if canImport(Darwin)
        do {
            try Syscall.setOption(opened, level: SOL_SOCKET, name: SO_NOSIGPIPE, value: 1)
        } catch {
            Syscall.close(opened)
            throw error
        }
        #endif
        descriptor = opened
    }

    /// Takes ownership of an already open descriptor (from `accept`).
    init(adopting descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { Syscall.close(descriptor) }
    }

    /// Whether the descriptor is still open.
    var isOpen: Bool { descriptor >= 0 }

    /// Closes the descriptor now (idempotent).
    mutating func close() {
        guard descriptor >= 0 else { return }
        Syscall.close(descriptor)
        descriptor = -1
    }

    // MARK: Options

    /// Disables Nagle's algorithm (`TCP_NODELAY`): WebSocket frames are written whole, and a
    /// small control frame must not wait for the ACK of the previous one.
    func setNoDelay() throws(TransportError) {
        try Syscall.setOption(descriptor, level: Syscall.tcpLevel, name: TCP_NODELAY, value: 1)
    }

    /// On Darwin, `SO_NOSIGPIPE` for an accepted socket (Linux uses `MSG_NOSIGNAL` per write).
    func setNoSignalPipe() throws(TransportError) {
        #if canImport(Darwin)
        try Syscall.setOption(descriptor, level: SOL_SOCKET, name: SO_NOSIGPIPE, value: 1)
        #endif
    }

    /// `SO_REUSEADDR`: rebind a port whose old connections linger in TIME_WAIT.
    func setReuseAddress() throws(TransportError) {
        try Syscall.setOption(descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
    }

    /// `SO_REUSEPORT`: several listeners (one per loop or process) share the port.
    func setReusePort() throws(TransportError) {
        try Syscall.setOption(descriptor, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1)
    }

    /// The pending socket error (`SO_ERROR`), which also clears it.
    func pendingError() throws(TransportError) -> Errno? {
        try Syscall.pendingError(descriptor)
    }

    // MARK: Addresses and connection setup

    /// The bound address (`getsockname`).
    var localAddress: SocketAddress? { Syscall.address(of: descriptor, local: true) }
    /// The peer's address (`getpeername`).
    var remoteAddress: SocketAddress? { Syscall.address(of: descriptor, local: false) }

    /// Starts connecting; true when connected at once, false when in progress.
    func connect(to address: SocketAddress) throws(TransportError) -> Bool {
        try Syscall.connect(descriptor, to: address)
    }

    /// Binds to `address`.
    func bind(to address: SocketAddress) throws(TransportError) {
        try Syscall.bind(descriptor, to: address)
    }

    /// Listens with `backlog`.
    func listen(backlog: Int) throws(TransportError) {
        try Syscall.listen(descriptor, backlog: backlog)
    }

    /// Accepts one pending connection: its descriptor (for ``init(adopting:)``) and peer address.
    func accept() -> Result<IOResult<(Int32, SocketAddress?)>, Errno> {
        Syscall.accept(descriptor)
    }

    // MARK: I/O

    /// Reads into `buffer` with `recv(2)`: the socket's own call goes straight to the socket
    /// layer, where `read(2)` first passes the file layer's checks (`vfs_read`,
    /// `sock_read_iter`: about 1% of a server's CPU with 100 busy connections in `perf`).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> IOResult<Int> {
        try Syscall.receive(descriptor, into: buffer)
    }

    /// Sends `bytes` without SIGPIPE.
    func send(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> IOResult<Int> {
        try Syscall.send(descriptor, bytes)
    }

    /// Sends the buffers in `vectors` in one gathered write, without SIGPIPE.
    func send(gathering vectors: UnsafeMutableBufferPointer<iovec>) throws(TransportError) -> IOResult<Int> {
        try Syscall.sendGathered(descriptor, vectors)
    }

    /// Sends FIN after the bytes already written.
    func shutdownWrite() throws(TransportError) {
        try Syscall.shutdownWrite(descriptor)
    }
}

extension Socket {
    /// Sends `bytes` without SIGPIPE.
    func send(_ bytes: [UInt8]) -> Result<IOResult<Int>, TransportError> {
        bytes.withUnsafeBytes { raw in
            Result { () throws(TransportError) in try send(raw) }
        }
    }

    /// Sends `header` then `payload` in one gathered write (`writev` semantics, without SIGPIPE):
    /// one system call and, with `TCP_NODELAY`, usually one TCP segment per frame.
    func send(header: [UInt8], payload: [UInt8]) -> Result<IOResult<Int>, TransportError> {
        header.withUnsafeBytes { head in
            payload.withUnsafeBytes { body in
                withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { vectors in
                    vectors.initialize(repeating: iovec())
                    vectors[0] = iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count)
                    vectors[1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count)
                    return Result { () throws(TransportError) in try send(gathering: vectors) }
                }
            }
        }
    }
}
