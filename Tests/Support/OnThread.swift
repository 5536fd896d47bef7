import Foundation

/// Runs blocking socket code on its own thread, so that it never holds a thread of Swift's
/// cooperative pool: a blocked pool thread stalls every other test's tasks (the attacker
/// blocks on purpose, a large send blocks until the server reads).
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
