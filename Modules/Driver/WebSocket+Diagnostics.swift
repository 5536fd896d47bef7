import WebSocketCore
import WebSocketTransport

extension WebSocket {
    /// The bytes waiting to be written: in the channel's queue, and still in the Core (kept
    /// there while the channel is over its high-water mark). For tests and diagnostics.
    package func pendingOutput() async -> (channel: Int, connection: Int) {
        await withCheckedContinuation { continuation in
            submit({ [self] in
                continuation.resume(returning: (channel?.pendingWriteBytes ?? 0, connection.pendingOutputCount))
            }) {
                continuation.resume(returning: (0, connection.pendingOutputCount))  // no channel left
            }
        }
    }

    /// ``pendingOutput()`` for code already on the loop (a ``handleMessages(_:)`` handler).
    package var pendingOutputOnLoop: (channel: Int, connection: Int) {
        precondition(loop.inEventLoop, "pendingOutputOnLoop is read on the connection's loop")
        return (channel?.pendingWriteBytes ?? 0, connection.pendingOutputCount)
    }

    /// How many received messages wait in the queue that ``messages`` reads. For tests.
    package var queuedMessageCount: Int { inbox.queuedCount }

    /// Whether the connection holds memory sized for its last burst, which it releases once it
    /// has read nothing for ``Configuration/idleMemoryReleaseDelay``. For tests.
    package func holdsBurstMemory() async -> Bool {
        await withCheckedContinuation { continuation in
            submit({ [self] in continuation.resume(returning: retainsBurstMemory) }) {
                continuation.resume(returning: retainsBurstMemory)  // as the stopped loop left it
            }
        }
    }
}
