#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import WebSocketCore
import WebSocketDriver
import WebSocketServer

/// Our server as the probes attack it: the given limits, a handler that reads (and drops) every
/// message.
enum ProbeServer {
    static func start(_ configure: (inout WebSocketServer.Configuration) -> Void = { _ in }) throws -> WebSocketServer {
        var configuration = WebSocketServer.Configuration()
        configuration.connection.pingInterval = nil
        configure(&configuration)
        return try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for try await _ in ws.messages {}
            } catch {}
        }
    }
}

/// Prints one figure.
func report(_ key: String, _ value: some CustomStringConvertible) {
    print("\(key)=\(value)")
}
#endif
