import Foundation
#if os(Linux)
import WebSocketAttackSupport
#endif
import WebSocketDriver
import WebSocketServer

/// The server under soak: an echo server on an ephemeral loopback port, two event loops. It
/// prints `port=<port>` once listening, answers each `stats` line on its standard input with
/// `heap=<bytes in use>`, and exits when its standard input closes (the parent went away), so
/// that it never outlives a soak.
enum SoakServer {
    static func serve() throws -> Never {
        var configuration = WebSocketServer.Configuration()
        configuration.eventLoopCount = 2
        let server = try WebSocketServer.start(configuration: configuration) { ws in
            do {
                for try await message in ws.messages { try await ws.send(message) }
            } catch {}
        }
        FileHandle.standardOutput.write(Data("port=\(server.port)\n".utf8))
        while let line = readLine() {
            if line == "stats" { FileHandle.standardOutput.write(Data("heap=\(heapInUse())\n".utf8)) }
        }
        exit(0)
    }
}

/// The heap in use (glibc `mallinfo2`), or -1 where the soak cannot read it.
func heapInUse() -> Int {
    #if os(Linux)
    Memory.heapInUse()
    #else
    -1
    #endif
}
