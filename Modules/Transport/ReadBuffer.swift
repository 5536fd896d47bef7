/// The one reusable receive buffer of an ``EventLoop`` (256 KiB): every channel of the loop reads
/// into it in turn, and ``ChannelHandler/channelRead(_:_:)`` borrows the filled part.
struct ReadBuffer: ~Copyable {
    /// The buffer size. A WebSocket frame that lies whole in one read is handled where it lies
    /// (``ChannelHandler/channelRead(_:_:)`` may unmask in place); one that continues in the next
    /// read is copied, so the buffer holds several 64 KiB frames. Measured in interleaved A/B
    /// runs (`make bench` drivers, 64 messages in flight): against 64 KiB, 256 KiB echoes 64 KiB
    /// messages 55% faster on the server (23 k → 35 k/s) and 33% faster on the client
    /// (22 k → 29 k/s, with a quarter as many writes), and 16 B, 1 KiB, 1 MiB and 100-connection
    /// rows do not change beyond the noise; 1 MiB (1 MiB frames never fit either) gains nothing
    /// more. One buffer per loop, not per connection.
    static let size = 256 * 1024

    /// The storage, owned by this value.
    let storage: UnsafeMutableRawBufferPointer

    init() {
        storage = .allocate(byteCount: Self.size, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// Reads once from `socket` into the buffer.
    /// - Returns: the number of bytes read (0 at EOF), or ``IOResult/wouldBlock``.
    func read(from socket: borrowing Socket) throws(TransportError) -> IOResult<Int> {
        try socket.read(into: storage)
    }

    /// The first `count` bytes, as filled by the last ``read(from:)``.
    func prefix(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[0..<min(count, storage.count)])
    }
}

extension ReadBuffer {
    /// Decrypts from `session` into the buffer: record after record while OpenSSL has them
    /// (`SSL_read` returns one record, at most 16 KiB, per call), so that a large frame can lie
    /// whole in one read as it does without TLS.
    /// - Returns: the plaintext's size; ``TLSSession/ReadResult/needsCiphertext`` or
    ///   ``TLSSession/ReadResult/closed`` only when no byte was read (the next call reports them,
    ///   and a failure after some bytes is thrown by the next call, as the session keeps it).
    func read(from session: TLSSession) throws(TransportError) -> TLSSession.ReadResult {
        var filled = 0
        while filled < storage.count {
            let result: TLSSession.ReadResult
            do {
                result = try session.readPlaintext(into: UnsafeMutableRawBufferPointer(rebasing: storage[filled...]))
            } catch {
                if filled == 0 { throw error }
                break
            }
            guard case .bytes(let count) = result, count > 0 else {
                return filled == 0 ? result : .bytes(filled)
            }
            filled &+= count
        }
        return .bytes(filled)
    }
}
