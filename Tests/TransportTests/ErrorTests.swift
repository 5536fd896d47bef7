import Glibc
import Testing
import WebSocketTransport

@Suite("Errno and TransportError")
struct ErrorTests {
    @Test func errnoDescriptionComesFromStrerror() {
        #expect(Errno(rawValue: ECONNREFUSED).description == "Connection refused")
        #expect(Errno.connectionRefused == Errno(rawValue: ECONNREFUSED))
        #expect(Errno.wouldBlock.rawValue == EAGAIN)
    }

    @Test func descriptionsAreReadable() {
        #expect(TransportError(.connectionRefused, endpoint: "127.0.0.1:9").description == "connect to 127.0.0.1:9 refused")
        #expect(
            TransportError(.resolution(host: "x", message: "Name or service not known")).description
                == "name resolution of x failed: Name or service not known"
        )
        #expect(TransportError(.connectTimeout, endpoint: "[::1]:80").description == "connect to [::1]:80 timed out")
        let system = TransportError(.system(call: "epoll_ctl", errno: .badDescriptor))
        #expect(system.description == "epoll_ctl failed: Bad file descriptor")
        #expect(system.errno == .badDescriptor)
    }

    @Test func kindsCompareWithoutEndpoint() {
        let error = TransportError(.connectionRefused, endpoint: "127.0.0.1:1")
        #expect(error.kind == .connectionRefused)
        #expect(error != TransportError(.connectionRefused))
    }
}
