extension SocketAddress {
    /// Resolves `host` with `getaddrinfo` (`AF_UNSPEC`, `SOCK_STREAM`): IPv4 and IPv6 addresses,
    /// in the order the resolver returns them, which is the order to try them in.
    ///
    /// Numeric addresses (`127.0.0.1`, `::1`, `[::1]`) are parsed without a lookup. This call
    /// blocks while the resolver works; ``Channel/connect(host:port:timeout:tls:proxy:attemptDelay:on:handler:)`` runs it
    /// off the event loop.
    /// - Parameters:
    ///   - host: a name or numeric address; brackets around an IPv6 address are stripped.
    ///   - port: the TCP port, 0...65535.
    /// - Throws: ``TransportError/Kind/resolution(host:message:)`` when the name does not resolve,
    ///   resolves to nothing, or the port is out of range.
    /// - Returns: at least one address.
    public static func resolve(host: String, port: Int) throws(TransportError) -> [SocketAddress] {
        guard (0...65535).contains(port) else {
            throw TransportError(.resolution(host: host, message: "port \(port) out of range"))
        }
        let name = stripBrackets(host)
        if let numeric = SocketAddress(ipAddress: name, port: port) { return [numeric] }
        let found = try Syscall.getAddresses(host: name)
        var unique: [SocketAddress] = []
        for storage in found where !unique.contains(where: { $0.storage == storage }) {
            unique.append(SocketAddress(storage: storage, port: port))
        }
        guard !unique.isEmpty else {
            throw TransportError(.resolution(host: host, message: "no IPv4 or IPv6 address"))
        }
        return unique
    }
}
