import WebSocketCore

/// A FIFO of received messages that reuses its storage (no allocation per message in steady
/// state).
struct MessageQueue {
    private var storage: [Message] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ message: Message) { storage.append(message) }

    mutating func popFirst() -> Message? {
        guard head < storage.count else { return nil }
        let message = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        }
        return message
    }
}
