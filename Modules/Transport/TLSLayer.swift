/// The TLS state a ``Channel`` keeps besides its ``TLSSession``: plaintext written before the
/// handshake completed, and who learns the handshake's outcome.
final class TLSLayer {
    /// Called once with the handshake's outcome instead of ``ChannelHandler/channelActive(_:)``
    /// (a client connect); nil error on success.
    typealias Completion = (Channel, TransportError?) -> Void

    let session: TLSSession
    /// Plaintext written before the handshake completed, sent once it has.
    private var pending: [[UInt8]] = []
    /// The bytes in `pending`.
    private(set) var pendingByteCount = 0
    private var completion: Completion?

    init(session: TLSSession, completion: Completion? = nil) {
        self.session = session
        self.completion = completion
    }

    /// Whether application data can be encrypted now.
    var isEstablished: Bool { session.isHandshakeComplete }

    /// Whether plaintext waits for the handshake.
    var hasPendingPlaintext: Bool { !pending.isEmpty }

    /// Keeps `bytes` until the handshake completes.
    func holdUntilEstablished(_ bytes: [UInt8]) {
        pending.append(bytes)
        pendingByteCount += bytes.count
    }

    /// The held plaintext, in order; the layer forgets it.
    func takePending() -> [[UInt8]] {
        defer {
            pending.removeAll()
            pendingByteCount = 0
        }
        return pending
    }

    /// The completion, once.
    func takeCompletion() -> Completion? {
        defer { completion = nil }
        return completion
    }
}
