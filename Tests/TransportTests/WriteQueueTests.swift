import Glibc
import Testing
@testable import WebSocketTransport

/// The write queue's spare buffer: an array handed over for good (`Channel.write(reusing:)`) is
/// reused once written, so that a writer ahead of its reader does not allocate (and fault in)
/// new memory for every write.
@Suite("WriteQueue: reusing written buffers")
struct WriteQueueTests {
    /// A connected pair of non-blocking Unix stream sockets: the queue writes to the first, the
    /// test reads from the second.
    static func socketPair() throws -> [Int32] {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return fds
    }

    /// Reads what the reader has (at most `limit` bytes) without blocking.
    static func drain(_ reader: borrowing Socket, into received: inout [UInt8], limit: Int = .max) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while received.count < limit {
            let want = min(buffer.count, limit - received.count)
            let count = buffer.withUnsafeMutableBytes { bytes -> Int in
                guard case .processed(let count)? = try? reader.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<want])) else { return 0 }
                return count
            }
            if count == 0 { return }
            received += buffer[..<count]
        }
    }

    @Test func aWrittenReusableChunkBecomesTheSpareUntilTheQueueDrains() throws {
        let fds = try Self.socketPair()
        let writer = Socket(adopting: fds[0])
        let reader = Socket(adopting: fds[1])
        let first = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let second = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 11) }
        let borrowed = [UInt8](repeating: 5, count: 1 << 20)
        var queue = WriteQueue()
        queue.append(borrowed)  // not handed over: never reused
        queue.append(first, reusable: true)
        queue.append(second, reusable: true)
        var received: [UInt8] = []
        // Read until the first two chunks are written but the third is not.
        while received.count < borrowed.count + first.count + 1 {
            #expect(try queue.flush(to: writer) == false)
            Self.drain(reader, into: &received, limit: borrowed.count + first.count + 1)
        }
        _ = try queue.flush(to: writer)
        #expect(!queue.isEmpty)
        let spare = queue.takeSpare()
        #expect(spare.isEmpty && spare.capacity >= first.count, "the written reusable chunk is the spare")
        #expect(queue.takeSpare().capacity == 0, "taken once")
        // Written out completely, the queue keeps no spare.
        queue.append(first, reusable: true)
        while try !queue.flush(to: writer) { Self.drain(reader, into: &received) }
        Self.drain(reader, into: &received)
        #expect(queue.takeSpare().capacity == 0, "a drained queue keeps no memory")
        #expect(received == borrowed + first + second + first)
    }

    @Test func aBorrowedChunkIsNeverTheSpare() throws {
        let fds = try Self.socketPair()
        let writer = Socket(adopting: fds[0])
        let reader = Socket(adopting: fds[1])
        let borrowed = [UInt8](repeating: 1, count: 1 << 20)
        var queue = WriteQueue()
        queue.append(borrowed)
        queue.append([UInt8](repeating: 2, count: 1 << 20))
        var received: [UInt8] = []
        while received.count < borrowed.count + 1 {
            _ = try queue.flush(to: writer)
            Self.drain(reader, into: &received, limit: borrowed.count + 1)
        }
        _ = try queue.flush(to: writer)
        #expect(!queue.isEmpty)
        #expect(queue.takeSpare().capacity == 0)
        #expect(borrowed.allSatisfy { $0 == 1 }, "the caller's array is untouched")
    }
}
