/// Receives the events of one ``Channel``. Every callback runs on the channel's loop thread.
///
/// Order: ``channelActive(_:)`` once; then any number of ``channelRead(_:_:)``,
/// ``channelWritable(_:)`` and at most one ``channelEOF(_:)``; then
/// ``channelInactive(_:error:)`` exactly once, after which the channel drops its handler.
///
/// On a TLS channel the handler sees plaintext only: ``channelActive(_:)`` fires once the TLS
/// handshake completed, ``channelEOF(_:)`` means the peer's `close_notify` (or, when tolerated,
/// a TCP EOF without it), and an accepted channel whose handshake fails gets
/// ``channelInactive(_:error:)`` without ``channelActive(_:)``.
public protocol ChannelHandler: AnyObject {
    /// The channel is connected and about to start reading. Default: nothing.
    /// - Parameter channel: the channel.
    func channelActive(_ channel: Channel)

    /// Bytes arrived.
    ///
    /// `bytes` points into the loop's shared 256 KiB receive buffer and is valid only during the
    /// call: copy what you keep. The buffer is the loop's own writable memory, refilled by the
    /// next read, so a handler may also overwrite these bytes in place (through
    /// `UnsafeMutableRawBufferPointer(mutating:)`), e.g. to unmask WebSocket payloads where they
    /// lie. Set ``Channel/isReadEnabled`` to false to stop further reads.
    /// - Parameters:
    ///   - channel: the channel.
    ///   - bytes: the bytes read, never empty.
    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer)

    /// The write queue drained after having been non-empty (``Channel/pendingWriteBytes`` is 0):
    /// the moment to resume writers held back for backpressure. Default: nothing.
    /// - Parameter channel: the channel.
    func channelWritable(_ channel: Channel)

    /// The peer shut down its write side (read returned 0; with TLS, its `close_notify` arrived).
    /// The channel stays writable until the
    /// handler closes it, so a last message (e.g. a close frame) can still go out.
    /// Default: ``Channel/close()``.
    /// - Parameter channel: the channel.
    func channelEOF(_ channel: Channel)

    /// The channel is closed. Called exactly once, also when the close came from ``Channel/close()``
    /// inside another callback.
    /// - Parameters:
    ///   - channel: the channel.
    ///   - error: nil for an orderly close (ours, or after EOF); otherwise why it failed, e.g.
    ///     ``TransportError/Kind/connectionReset`` or ``TransportError/Kind/eventLoopShutdown``.
    func channelInactive(_ channel: Channel, error: TransportError?)
}

extension ChannelHandler {
    /// Does nothing.
    public func channelActive(_ channel: Channel) {}
    /// Does nothing.
    public func channelWritable(_ channel: Channel) {}
    /// Closes the channel.
    public func channelEOF(_ channel: Channel) { channel.close() }
    /// Does nothing.
    public func channelInactive(_ channel: Channel, error: TransportError?) {}
}
