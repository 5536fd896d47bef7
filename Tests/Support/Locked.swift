import Foundation

/// A value behind an `NSLock` (pthread), which ThreadSanitizer understands: the stdlib's `Mutex`
/// locks inside uninstrumented code and draws false race reports (Tools/Sanitizers/tsan.supp).
/// Tests use this rather than `Mutex`: a false report in a test fails `make sanitize-thread`
/// (a CI run reported EventLoopTests' chain counter, both sides inside `withLock`).
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, under the lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
