import Glibc
import Testing
@testable import WebSocketTransport

/// accept(2) reports network errors already pending on the new connection, which the man page
/// says to treat like EAGAIN; only running out of resources (or a failed listener) pauses
/// accepting. Before, every error but ECONNABORTED paused the whole listener for 100 ms.
@Suite("Listener: which accept errors pause accepting")
struct AcceptErrorTests {
    @Test("Errors of one pending connection: accept the next",
          arguments: [ECONNABORTED, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETDOWN, ENETUNREACH, EPERM])
    func oneConnection(_ code: Int32) {
        #expect(Listener.reaction(to: Errno(rawValue: code)) == .next, "\(Errno(rawValue: code))")
    }

    @Test("Out of descriptors or memory, or the listener failed: pause",
          arguments: [EMFILE, ENFILE, ENOBUFS, ENOMEM, EBADF, EINVAL, ENOTSOCK])
    func pauses(_ code: Int32) {
        #expect(Listener.reaction(to: Errno(rawValue: code)) == .pause, "\(Errno(rawValue: code))")
    }
}
