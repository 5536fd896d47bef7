import SwiftWebSocket

// Sends two messages to an echo server and prints the answers.
let url = CommandLine.arguments.dropFirst().first ?? "ws://127.0.0.1:8080/"
let ws = try await WebSocket.connect(to: url)
try await ws.send(text: "Hello, WebSocket")
try await ws.send(binary: [0xCA, 0xFE])
var received = 0
for try await message in ws.messages {
    if let text = message.text {
        print("text:", text)
    } else {
        print("binary:", message.data.count, "bytes")
    }
    received += 1
    if received == 2 {
        try await ws.close(code: .normalClosure, reason: "done")
    }
}
print("closed:", await ws.closed().code)
