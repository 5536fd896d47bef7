import SwiftWebSocket

// An echo server on ws://127.0.0.1:8080 that refuses foreign origins.
var configuration = WebSocketServer.Configuration()
configuration.port = 8080
let server = try WebSocketServer.start(configuration: configuration, shouldUpgrade: { upgrade in
    let origin = upgrade.request.origin
    return origin == nil || origin == "http://localhost:8080" ? .accept() : .reject(status: 403)
}) { ws in
    do {
        for try await message in ws.messages {
            try await ws.send(message)
        }
    } catch {
        print("connection ended:", error)
    }
}
print("listening on ws://127.0.0.1:\(server.port)")
while true { try await Task.sleep(for: .seconds(3600)) }
