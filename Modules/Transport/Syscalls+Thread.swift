#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The platform's thread handle.
typealias ThreadHandle = pthread_t

/// The closure a new thread runs, boxed so it can cross `pthread_create`'s `void *`.
private final class ThreadBody {
    let name: String
    let run: () -> Void
    init(name: String, run: @escaping () -> Void) {
        self.name = name
        self.run = run
    }
}

extension Syscall {
    /// Starts a joinable thread named `name` (truncated to 15 bytes, the Linux limit) running `body`.
    static func spawnThread(name: String, _ body: @escaping () -> Void) throws(TransportError) -> ThreadHandle {
        let box = Unmanaged.passRetained(ThreadBody(name: name, run: body))
        #if canImport(Darwin)
        var handle: pthread_t?
        #else
        var handle = pthread_t()
        #endif
        let status = pthread_create(&handle, nil, threadEntry, box.toOpaque())
        #if canImport(Darwin)
        guard status == 0, let started = handle else {
            box.release()
            throw .system("pthread_create", Errno(rawValue: status))
        }
        return started
        #else
        guard status == 0 else {
            box.release()
            throw .system("pthread_create", Errno(rawValue: status))
        }
        return handle
        #endif
    }

    /// Starts a detached thread running `body` once.
    static func spawnDetachedThread(name: String, _ body: @escaping () -> Void) throws(TransportError) {
        detach(try spawnThread(name: name, body))
    }

    /// Waits for `thread` to end.
    static func join(_ thread: ThreadHandle) {
        _ = pthread_join(thread, nil)
    }

    /// Releases a thread nobody will join.
    static func detach(_ thread: ThreadHandle) {
        _ = pthread_detach(thread)
    }

    /// The calling thread.
    static func currentThread() -> ThreadHandle {
        pthread_self()
    }

    /// Whether the calling thread is `thread`.
    static func isCurrentThread(_ thread: ThreadHandle) -> Bool {
        pthread_equal(pthread_self(), thread) != 0
    }

    /// The calling thread's handle as a number, never 0 for a running thread: what
    /// ``EventLoop/inEventLoop`` compares with the identity its thread published. (A handle
    /// is reused for a new thread once the old one was joined, so a loop clears its copy
    /// before its thread ends.)
    static func currentThreadIdentity() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }
}

#if canImport(Darwin)
private func threadEntry(_ argument: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    runThreadBody(argument)
    return nil
}
#else
private func threadEntry(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    runThreadBody(argument)
    return nil
}
#endif

private func runThreadBody(_ argument: UnsafeMutableRawPointer) {
    let body = Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue()
    let shortName = String(decoding: body.name.utf8.prefix(15), as: UTF8.self)
    #if canImport(Darwin)
    _ = pthread_setname_np(shortName)
    #elseif os(Linux)
    if let setName = LinuxSymbols.setThreadName { _ = setName(pthread_self(), shortName) }
    #endif
    body.run()
}
