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
    /// Decrypts once from `session` into the buffer: one record, at most 16 KiB.
    ///
    /// Gathering every record OpenSSL holds into one read was tried (2026-11-26): it let 64 KiB
    /// frames lie whole in a read (server wss 64 KiB +8%), but a client answering each echo at
    /// once then took a whole window of echoes before answering any, and our client's wss
    /// stream 1 KiB against our server fell from 780 k to 360 k messages/s.
    func read(from session: TLSSession) throws(TransportError) -> TLSSession.ReadResult {
        try session.readPlaintext(into: storage)
    }
}
