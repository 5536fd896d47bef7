import WebSocketCore

/// A FIFO of received messages that reuses its storage (no allocation per message in steady
/// state) and holds no reference to a message once it is taken.
struct MessageQueue {
    private var storage: [Message?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ message: Message) { storage.append(message) }

    mutating func popFirst() -> Message? {
        guard head < storage.count else { return nil }
        let message = storage[head].take()
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= storage.count {
            // A queue that never runs dry (a consumer just behind a producer) still reuses its
            // storage: drop the taken prefix once it is half of the array (amortised O(1)).
            storage.removeFirst(head)
            head = 0
        }
        return message
    }
}
