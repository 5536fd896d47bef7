#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Syscall {
    /// `getaddrinfo(host, nil, {AF_UNSPEC, SOCK_STREAM})`: the addresses in the resolver's order.
    /// Blocks while the resolver works.
    static func getAddresses(host: String) throws(TransportError) -> [SocketAddress.Storage] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        var list: UnsafeMutablePointer<addrinfo>?
        var status: Int32
        repeat {
            status = getaddrinfo(host, nil, &hints, &list)
        } while status == EAI_SYSTEM && Errno.current == .interrupted
        guard status == 0 else {
            throw TransportError(.resolution(host: host, message: resolverMessage(status)))
        }
        defer { freeaddrinfo(list) }
        var found: [SocketAddress.Storage] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr, let parsed = SocketAddress(address) {
                found.append(parsed.storage)
            }
            entry = current.pointee.ai_next
        }
        return found
    }

    private static func resolverMessage(_ status: Int32) -> String {
        if status == EAI_SYSTEM { return Errno.current.description }
        guard let message = gai_strerror(status) else { return "error \(status)" }
        return String(cString: message)
    }
}
