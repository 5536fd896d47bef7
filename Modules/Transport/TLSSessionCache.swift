import COpenSSL

/// A client context's sessions kept for resumption, per server name: a later connection to the
/// same name offers one (RFC 8446 §2.2, a TLS 1.3 ticket; RFC 5077 / RFC 5246 §7.4.1.2 for TLS
/// 1.2) and skips the certificate exchange, its verification and the signature, when the server
/// accepts it. Each session is offered once (RFC 8446 Appendix C.4: clients "SHOULD NOT reuse a
/// ticket for multiple connections"); servers send new tickets on every connection.
///
/// A session was established with a server whose certificate was verified for that very name,
/// and only that server can accept it, so resuming keeps the identity the first handshake
/// verified. At most ``perName`` sessions per name and ``maxNames`` names; the least recently
/// stored name goes first. Thread-safe: a shared context serves every loop.
final class TLSSessionCache: @unchecked Sendable {
    /// Sessions kept per server name (servers send two TLS 1.3 tickets per full handshake).
    static let perName = 4
    /// Server names kept.
    static let maxNames = 64

    private let lock = Lock()
    /// `SSL_SESSION*` per server name, oldest first; each holds one reference. Guarded by `lock`.
    private var sessions: [String: [OpaquePointer]] = [:]
    /// Names in the order they last stored a session. Guarded by `lock`.
    private var names: [String] = []

    deinit {
        for list in sessions.values { list.forEach { SSL_SESSION_free($0) } }
    }

    /// Keeps `session` (taking over the caller's reference) for `name`.
    /// - Returns: false when the session cannot be resumed (the caller keeps its reference).
    func store(_ session: OpaquePointer, for name: String) -> Bool {
        guard SSL_SESSION_is_resumable(session) == 1 else { return false }
        var evicted: [OpaquePointer] = []
        lock.withLock {
            var list = sessions[name] ?? []
            list.append(session)
            if list.count > Self.perName { evicted.append(list.removeFirst()) }
            sessions[name] = list
            names.removeAll { $0 == name }
            names.append(name)
            if names.count > Self.maxNames {
                evicted += sessions.removeValue(forKey: names.removeFirst()) ?? []
            }
        }
        evicted.forEach { SSL_SESSION_free($0) }
        return true
    }

    /// The newest session kept for `name`, removed from the cache: the caller owns its reference.
    func take(for name: String) -> OpaquePointer? {
        lock.withLock {
            guard var list = sessions[name], let session = list.popLast() else { return nil }
            sessions[name] = list.isEmpty ? nil : list
            return session
        }
    }

    /// Sessions kept for `name` (for tests).
    func count(for name: String) -> Int { lock.withLock { sessions[name]?.count ?? 0 } }
}

/// OpenSSL's new-session callback (`SSL_CTX_sess_set_new_cb`): a session (a TLS 1.3 ticket
/// arriving after the handshake, or a TLS 1.2 session) goes to its context's cache under the
/// name the connection verified. Returns 1 when the cache took the reference.
let tlsNewSessionCallback: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32 = { ssl, session in
    guard let ssl, let session, let owner = TLSSession.owning(ssl: ssl), let name = owner.serverName,
          let cache = owner.context.sessionCache else { return 0 }
    return cache.store(session, for: name) ? 1 : 0
}
