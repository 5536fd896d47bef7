#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mutex with a condition variable (pthread), for the few pieces of state that other threads
/// share with an event loop: its task queue, its run state, cancellation of scheduled tasks.
///
/// The pthread objects live at stable heap addresses, as POSIX requires.
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        _ = pthread_mutex_init(mutex, nil)
        _ = pthread_cond_init(condition, nil)
    }

    deinit {
        _ = pthread_cond_destroy(condition)
        _ = pthread_mutex_destroy(mutex)
        condition.deinitialize(count: 1)
        condition.deallocate()
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    @inline(__always)
    func withLock<Value, Failure: Error>(_ body: () throws(Failure) -> Value) throws(Failure) -> Value {
        _ = pthread_mutex_lock(mutex)
        defer { _ = pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Blocks until `predicate` (evaluated under the lock) holds; woken by ``broadcast()``.
    func wait(until predicate: () -> Bool) {
        _ = pthread_mutex_lock(mutex)
        while !predicate() {
            _ = pthread_cond_wait(condition, mutex)
        }
        _ = pthread_mutex_unlock(mutex)
    }

    /// Runs `body` under the lock, then wakes every ``wait(until:)``.
    func withLockBroadcasting(_ body: () -> Void) {
        _ = pthread_mutex_lock(mutex)
        body()
        _ = pthread_cond_broadcast(condition)
        _ = pthread_mutex_unlock(mutex)
    }
}
