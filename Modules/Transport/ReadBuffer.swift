/// The one reusable receive buffer of an ``EventLoop`` (64 KiB): every channel of the loop reads
/// into it in turn, and ``ChannelHandler/channelRead(_:_:)`` borrows the filled part.
struct ReadBuffer: ~Copyable {
    /// The buffer size: large enough for a typical burst, small enough to stay in L2. Measured
    /// (server CPU per echoed message, 64 in flight): 256 KiB costs 30% more than 64 KiB for
    /// 64 KiB and 1 MiB messages, 32 KiB no less; 16-byte messages do not notice.
    static let size = 64 * 1024

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
    /// Decrypts once from `session` into the buffer.
    func read(from session: TLSSession) throws(TransportError) -> TLSSession.ReadResult {
        try session.readPlaintext(into: storage)
    }
}
