import Glibc
import Testing
import WebSocketTransport

/// The test certificates of `Tests/Fixtures/tls` (regenerate with its `make-certs.sh`).
enum TLSFixtures {
    /// `Tests/Fixtures/tls`, found from this file's path.
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)
        return parts.joined(separator: "/") + "/Fixtures/tls"
    }()

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// `name.pem` with `key.key` (default: the same stem).
    static func identity(_ name: String, key: String? = nil) throws -> TLSIdentity {
        try TLSIdentity(certificateChainFile: path("\(name).pem"), privateKeyFile: path("\(key ?? name).key"))
    }

    /// A client context trusting `ca.pem` (or `trust`).
    static func client(trust: String = "ca.pem", _ configure: (inout TLSConfiguration) throws -> Void = { _ in }) throws -> TLSContext {
        var configuration = TLSConfiguration()
        configuration.trustRoots = .pemFile(path(trust))
        try configure(&configuration)
        return try TLSContext(client: configuration)
    }

    /// A server context presenting `identity` (default `server`).
    static func server(_ identity: String = "server", key: String? = nil, _ configure: (inout TLSServerConfiguration) throws -> Void = { _ in }) throws -> TLSContext {
        var configuration = TLSServerConfiguration(identity: try self.identity(identity, key: key))
        try configure(&configuration)
        return try TLSContext(server: configuration)
    }
}

/// The kind of a thrown `TransportError`, or nil if `body` did not throw one.
func transportErrorKind(_ body: () throws -> Void) -> TransportError.Kind? {
    do {
        try body()
        return nil
    } catch let error as TransportError {
        return error.kind
    } catch {
        return nil
    }
}

/// Reads a small file with libc (the transport tests do not import Foundation).
enum OpenSSLFile {
    static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw FixtureMissing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }
}

/// A fixture file could not be opened.
struct FixtureMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot open \(path); run Tests/Fixtures/tls/make-certs.sh" }
}
