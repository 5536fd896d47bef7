import Foundation
import WebSocketDriver
import WebSocketTransport

/// The test certificates of `Tests/Fixtures/tls` (see its `make-certs.sh`).
enum TLSCertificates {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tls").path

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// `name.pem` with `key.key` (default: the same stem).
    static func identity(_ name: String, key: String? = nil) throws -> TLSIdentity {
        try TLSIdentity(certificateChainFile: path("\(name).pem"), privateKeyFile: path("\(key ?? name).key"))
    }

    /// Client options trusting `trust` (default: the test CA), with short timeouts.
    static func client(trust: String = "ca.pem") -> WebSocket.Configuration {
        var configuration = WebSocket.Configuration()
        configuration.tls.trustRoots = .pemFile(path(trust))
        configuration.openTimeout = .seconds(10)
        configuration.closeTimeout = .seconds(5)
        return configuration
    }

    /// Server TLS presenting `identity` (default `server`: localhost, 127.0.0.1, ::1).
    static func server(_ identity: String = "server") throws -> TLSServerConfiguration {
        TLSServerConfiguration(identity: try self.identity(identity))
    }
}
