#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Listener {
    /// Binds a Unix domain socket at `path`, listens, and starts accepting on `loop`: for a
    /// server behind a reverse proxy on the same host (nginx's `proxy_pass http://unix:/run/app.sock`),
    /// without a TCP port.
    ///
    /// A socket file left at `path` by a process that died is replaced; a socket someone
    /// listens on, or another kind of file, makes the bind fail. A lock file beside it
    /// (`path.lock`, locked with `flock` while the listener lives, and left in place) keeps two
    /// listeners of this library from taking the path from each other. The socket file is
    /// removed when the listener closes (unless another socket was bound at the path since). Accepted channels
    /// are like TCP ones, without `TCP_NODELAY` (a Unix socket has no Nagle); their
    /// ``Channel/remoteAddress`` is nil, as a client's Unix socket has no name (or the client
    /// the PROXY protocol header names). Callable from any thread.
    /// - Parameters:
    ///   - path: the socket's path, at most ``SocketAddress/maxUnixPathLength`` bytes.
    ///   - permissions: the file's mode (at most `0o7777`), set before the socket listens (e.g.
    ///     `0o660` for a proxy in the owner's group); nil leaves it to the process's umask.
    ///   - backlog, tls, proxyProtocol, loop, childLoops, onFailure, accept: as for TCP
    ///     (``bind(host:port:backlog:reusePort:tls:proxyProtocol:on:childLoops:onFailure:accept:)``).
    /// - Throws: ``TransportError`` — `.resolution` for a path that cannot be a socket address,
    ///   `.addressInUse`, `.eventLoopShutdown`, `.system` (a missing directory, permissions);
    ///   `.tlsConfiguration` for a client TLS context.
    /// - Returns: the listener; its ``localAddress`` is the path's.
    public static func bind(
        unixPath path: String, permissions: UInt32? = nil, backlog: Int = 511, tls: TLSContext? = nil,
        proxyProtocol: ProxyProtocolOptions? = nil, on loop: EventLoop, childLoops: [EventLoop]? = nil,
        onFailure: (@Sendable (TransportError) -> Void)? = nil, accept: @escaping @Sendable (Channel) -> Void
    ) throws(TransportError) -> Listener {
        if let tls, tls.role != .server {
            throw TransportError(.tlsConfiguration("a listener needs a server TLS context"))
        }
        let address = try SocketAddress.checkedUnixPath(path)
        if let permissions, permissions > 0o7777 {
            throw .system("chmod", Errno(rawValue: EINVAL), endpoint: address.description)
        }
        let lock = try UnixSocketFile.claim(address)
        let socket: Socket
        do throws(TransportError) {
            socket = try Socket(family: .unix)
        } catch {
            Syscall.close(lock)
            throw error
        }
        var file: UnixSocketFile?
        do throws(TransportError) {
            try socket.bind(to: address)
            file = UnixSocketFile(boundAt: path)
            if let permissions {
                // Not through a symlink put in the socket's place since the bind.
                guard file?.isStillThere == true else { throw .system("chmod", Errno(rawValue: ELOOP), endpoint: address.description) }
                try Syscall.changeMode(path, permissions, endpoint: address.description)
            }
            try socket.listen(backlog: backlog)
        } catch {
            file?.remove()
            Syscall.close(lock)
            throw error
        }
        let listener = Listener(
            loop: loop, socket: socket, localAddress: address, childLoops: childLoops ?? [loop], tls: tls,
            proxyProtocol: proxyProtocol, unixSocketFile: file, unixSocketLock: lock, onFailure: onFailure, accept: accept
        )
        try listener.start()
        return listener
    }
}
