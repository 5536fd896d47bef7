import Glibc
import Testing
import WebSocketTestSupport
@testable import WebSocketTransport

/// Unix domain sockets: `Listener.bind(unixPath:)`, `Channel.connect(unixSocketPath:)` and what
/// they do with the socket file.
@Suite("Unix domain sockets")
struct UnixSocketTests {
    /// A fresh path in /tmp, removed (with whatever is there, and its lock file) by `body`'s end.
    private func withPath<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let path = "/tmp/sws-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer {
            unlink(path)
            unlink(path + ".lock")
        }
        return try await body(path)
    }

    private func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    @Test func addressesOfPaths() {
        #expect(SocketAddress(unixPath: "/run/app.sock")?.description == "unix:/run/app.sock")
        #expect(SocketAddress(unixPath: "/run/app.sock")?.family == .unix)
        #expect(SocketAddress(unixPath: "/run/app.sock")?.host == "/run/app.sock")
        #expect(SocketAddress(unixPath: "/run/app.sock")?.port == 0)
        #expect(SocketAddress(unixPath: "") == nil)
        #expect(SocketAddress(unixPath: "/a\u{0}b") == nil)
        #expect(SocketAddress.maxUnixPathLength == 107)
        #expect(SocketAddress(unixPath: "/" + String(repeating: "a", count: 106)) != nil)
        #expect(SocketAddress(unixPath: "/" + String(repeating: "a", count: 107)) == nil)
    }

    @Test func echoOverAUnixSocket() async throws {
        try await withLoops(2) { loops in
            try await withPath { path in
                let accepted = Locked<[SocketAddress?]>([])
                let listener = try Listener.bind(unixPath: path, on: loops[0]) { channel in
                    accepted.withLock { $0.append(channel.remoteAddress) }
                    channel.handler = EchoHandler()
                }
                #expect(listener.localAddress == SocketAddress(unixPath: path))
                let recorder = Recorder(expecting: 5)
                let channel = try await Channel.connect(unixSocketPath: path, timeout: .seconds(30), on: loops[1], handler: recorder)
                #expect(channel.remoteAddress == SocketAddress(unixPath: path))
                loops[1].execute { channel.write(Array("hello".utf8)) }
                #expect(try await recorder.bytesSignal.value() == Array("hello".utf8))
                #expect(accepted.withLock { $0 } == [nil], "a client's Unix socket has no name")
                loops[1].execute { channel.close() }
                listener.close()
                #expect(!exists(path), "closing removes the socket file")
            }
        }
    }

    /// The longest path `sun_path` holds works end to end.
    @Test func theLongestPath() async throws {
        try await withLoops { loops in
            let path = "/tmp/" + String(repeating: "p", count: SocketAddress.maxUnixPathLength - 5)
            unlink(path)
            defer {
                unlink(path)
                unlink(path + ".lock")
            }
            let listener = try Listener.bind(unixPath: path, on: loops[0]) { $0.handler = EchoHandler() }
            defer { listener.close() }
            #expect(listener.localAddress.host.utf8.count == SocketAddress.maxUnixPathLength)
            let recorder = Recorder(expecting: 2)
            let channel = try await Channel.connect(unixSocketPath: path, timeout: .seconds(30), on: loops[0], handler: recorder)
            loops[0].execute { channel.write([1, 2]) }
            #expect(try await recorder.bytesSignal.value() == [1, 2])
            loops[0].execute { channel.close() }
        }
    }

    /// The path's lock is what makes a socket file stale: while another listener holds it (as
    /// one of this library does between its bind and its listen, when connects are refused as
    /// by a stale file), the file is not taken.
    @Test func aHeldLockKeepsTheFile() async throws {
        try await withLoops { loops in
            try await withPath { path in
                let bound = try Syscall.socket(.unix)
                try Syscall.bind(bound, to: SocketAddress(unixPath: path)!)
                defer { close(bound) }
                let lock = open(path + ".lock", O_RDWR | O_CREAT, 0o600)
                defer { close(lock) }
                #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
                #expect(transportErrorKind { _ = try Listener.bind(unixPath: path, on: loops[0]) { _ in } } == .addressInUse)
                #expect(exists(path), "the socket file of the lock's holder is still there")
                flock(lock, LOCK_UN)
                let listener = try Listener.bind(unixPath: path, on: loops[0]) { _ in }
                listener.close()
            }
        }
    }

    @Test func badPathsAndModesAreRefused() throws {
        let loop = EventLoop()
        defer { loop.syncShutdown() }
        let missing = "/tmp/sws-no-such-directory-\(getpid())/app.sock"
        let noDirectory = transportErrorKind { _ = try Listener.bind(unixPath: missing, on: loop) { _ in } }
        #expect(noDirectory == .system(call: "open", errno: .noSuchFile))
        #expect(!exists(missing))
        let path = "/tmp/sws-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path + ".lock") }
        let badMode = transportErrorKind { _ = try Listener.bind(unixPath: path, permissions: 0o10000, on: loop) { _ in } }
        #expect(badMode == .system(call: "chmod", errno: Errno(rawValue: EINVAL)))
        #expect(!exists(path))
        let empty = transportErrorKind { _ = try Listener.bind(unixPath: "", on: loop) { _ in } }
        #expect(empty == .resolution(host: "", message: "not a Unix socket path (empty, a NUL, or over 107 bytes)"))
    }

    @Test func tlsOverAUnixSocket() async throws {
        try await withLoops(2) { loops in
            try await withPath { path in
                let listener = try Listener.bind(unixPath: path, tls: try TLSFixtures.server(), on: loops[0]) { channel in
                    channel.handler = EchoHandler()
                }
                defer { listener.close() }
                let recorder = Recorder(expecting: 5)
                let channel = try await Channel.connect(
                    unixSocketPath: path, host: "localhost", timeout: .seconds(30), tls: try TLSFixtures.client(),
                    on: loops[1], handler: recorder)
                loops[1].execute { channel.write(Array("hello".utf8)) }
                #expect(try await recorder.bytesSignal.value() == Array("hello".utf8))
                loops[1].execute { channel.close() }
                // The certificate names localhost: another name fails as over TCP.
                let client = try TLSFixtures.client()
                do throws(TransportError) {
                    _ = try await Channel.connect(
                        unixSocketPath: path, host: "other.example", timeout: .seconds(30), tls: client,
                        on: loops[1], handler: Recorder())
                    Issue.record("a certificate for localhost was taken for other.example")
                } catch {
                    guard case .certificate = error.kind else { return #expect(Bool(false), "\(error)") }
                }
            }
        }
    }

    /// A socket file whose process died (bound, never removed) is replaced.
    @Test func aStaleSocketFileIsReplaced() async throws {
        try await withLoops { loops in
            try await withPath { path in
                let stale = try Syscall.socket(.unix)
                try Syscall.bind(stale, to: SocketAddress(unixPath: path)!)
                close(stale)
                #expect(exists(path))
                let listener = try Listener.bind(unixPath: path, on: loops[0]) { $0.handler = EchoHandler() }
                defer { listener.close() }
                let channel = try await Channel.connect(unixSocketPath: path, timeout: .seconds(30), on: loops[0], handler: Recorder())
                loops[0].execute { channel.close() }
            }
        }
    }

    @Test func aLiveSocketOrAnotherFileIsLeftAlone() async throws {
        try await withLoops { loops in
            try await withPath { path in
                let first = try Listener.bind(unixPath: path, on: loops[0]) { $0.handler = EchoHandler() }
                #expect(transportErrorKind { _ = try Listener.bind(unixPath: path, on: loops[0]) { _ in } } == .addressInUse)
                let channel = try await Channel.connect(unixSocketPath: path, timeout: .seconds(30), on: loops[0], handler: Recorder())
                loops[0].execute { channel.close() }
                first.close()

                let file = open(path, O_CREAT | O_WRONLY, 0o600)
                close(file)
                #expect(transportErrorKind { _ = try Listener.bind(unixPath: path, on: loops[0]) { _ in } } == .addressInUse)
                var status = stat()
                #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG, "the regular file is still there")
            }
        }
    }

    /// A listener closing after another program's socket took its path over (its file removed
    /// by hand) does not remove that socket's file; and a second listener of this library
    /// cannot take the path while the first lives, file or no file.
    @Test func closingRemovesOnlyItsOwnFile() async throws {
        try await withLoops { loops in
            try await withPath { path in
                let first = try Listener.bind(unixPath: path, on: loops[0]) { _ in }
                unlink(path)
                #expect(transportErrorKind { _ = try Listener.bind(unixPath: path, on: loops[0]) { _ in } } == .addressInUse)
                let other = try Syscall.socket(.unix)
                defer { close(other) }
                try Syscall.bind(other, to: SocketAddress(unixPath: path)!)
                first.close()
                #expect(exists(path), "another socket's file stays")
            }
        }
    }

    @Test(arguments: [UInt32(0o600), 0o660, 0o666])
    func permissionsAreSet(_ mode: UInt32) async throws {
        try await withLoops { loops in
            try await withPath { path in
                let listener = try Listener.bind(unixPath: path, permissions: mode, on: loops[0]) { _ in }
                defer { listener.close() }
                var status = stat()
                #expect(lstat(path, &status) == 0)
                #expect(UInt32(status.st_mode) & 0o777 == mode)
            }
        }
    }

    @Test func connectErrorsSayWhat() async throws {
        try await withLoops { loops in
            try await withPath { path in
                do throws(TransportError) {
                    _ = try await Channel.connect(unixSocketPath: path, timeout: .seconds(30), on: loops[0], handler: Recorder())
                    Issue.record("connected to nothing")
                } catch {
                    #expect(error.kind == .system(call: "connect", errno: .noSuchFile))
                    #expect(error.description.contains("unix:\(path)"))
                }
                let stale = try Syscall.socket(.unix)
                try Syscall.bind(stale, to: SocketAddress(unixPath: path)!)
                defer { close(stale) }
                do throws(TransportError) {
                    _ = try await Channel.connect(unixSocketPath: path, timeout: .seconds(30), on: loops[0], handler: Recorder())
                    Issue.record("connected to a socket nobody listens on")
                } catch {
                    #expect(error.kind == .connectionRefused)
                }
                do throws(TransportError) {
                    _ = try await Channel.connect(unixSocketPath: "", timeout: .seconds(30), on: loops[0], handler: Recorder())
                    Issue.record("connected to an empty path")
                } catch {
                    guard case .resolution = error.kind else { return #expect(Bool(false), "\(error)") }
                }
            }
        }
    }
}
