#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Foundation
import Testing
import WebSocketAttackSupport
import WebSocketClient
import WebSocketCore
import WebSocketDriver
import WebSocketHandshake
import WebSocketServer
import WebSocketTestSupport

extension Attacks {
    /// RFC 7230 §3.2 / RFC 9110 §5.5: "a sender MUST NOT generate" CR, LF or NUL in a field value.
    /// Every header we would emit from application input is refused (or, for rejections, dropped)
    /// before a byte is sent, so no input can split a response or smuggle a header.
    @Suite("Header injection: CR, LF and NUL in anything we would send")
    struct HeaderInjection {
        static let evilValues = ["a\r\nInjected: yes", "a\nInjected: yes", "a\rInjected: yes", "a\u{0}Injected: yes"]

        /// Our server, whose upgrade hook answers with `decision`; counts the upgrade requests.
        static func server(_ decision: @escaping @Sendable (UpgradeRequest) -> UpgradeDecision) throws -> WebSocketServer {
            try WebSocketServer.start(shouldUpgrade: decision) { _ in }
        }

        @Test func clientHeadersSubprotocolsTargetsAndHostsAreRefusedBeforeConnecting() async throws {
            // A listener that records whether anybody connected at all.
            let requests = Locked(0)
            let server = try Self.server { _ in
                requests.withLock { $0 += 1 }
                return .accept()
            }
            let base = "ws://127.0.0.1:\(server.port)"
            var refused: [String] = []
            for value in Self.evilValues {
                await Self.expectRefused("header value \(value.debugDescription)", &refused) {
                    _ = try await WebSocket.connect(to: base + "/", headers: ["X-Custom": value])
                }
                var configuration = WebSocket.Configuration()
                configuration.connection.subprotocols = ["chat" + value]
                await Self.expectRefused("subprotocol \(("chat" + value).debugDescription)", &refused) {
                    _ = try await WebSocket.connect(to: base + "/", configuration: configuration)
                }
            }
            await Self.expectRefused("header name with CRLF", &refused) {
                _ = try await WebSocket.connect(to: base + "/", headers: ["X-A\r\nInjected": "1"])
            }
            await Self.expectRefused("request target with CRLF", &refused) {
                _ = try await WebSocket.connect(to: base + "/chat\r\nInjected: yes")
            }
            await Self.expectRefused("host with CRLF", &refused) {
                _ = try await WebSocket.connect(to: "ws://127.0.0.1\r\nInjected: yes:\(server.port)/")
            }
            await Self.expectRefused("reserved header Sec-WebSocket-Key", &refused) {
                _ = try await WebSocket.connect(to: base + "/", headers: ["Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAAAA=="])
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(requests.withLock { $0 } == 0, "a refused request reached the server")
            #expect(server.connectionCount == 0)
            print("attack: client-side injection refused before connecting (\(refused.count) cases): "
                + refused.joined(separator: ", "))
            await server.shutdown()
        }

        static func expectRefused(_ name: String, _ refused: inout [String], _ body: () async throws -> Void) async {
            do {
                try await body()
                Issue.record("\(name) was sent")
            } catch let error as WebSocketError {
                guard case .connection = error.kind else {
                    if case .invalidURL = error.kind { refused.append(name); return }
                    Issue.record("\(name): refused late: \(error)")
                    return
                }
                refused.append(name)
            } catch {
                Issue.record("\(name): \(error)")
            }
        }

        @Test func serverAcceptHeadersAndSubprotocolsWithCRLFBecomeA500() async throws {
            for value in Self.evilValues {
                let server = try Self.server { _ in .accept(headers: ["Set-Cookie": "id=1", "X-Evil": value]) }
                let response = try await Self.exchange(port: server.port)
                #expect(response.hasPrefix("HTTP/1.1 500 "), "\(response)")
                #expect(!response.contains("Injected"))
                await server.shutdown()
            }
            let server = try Self.server { _ in .accept(subprotocol: "chat\r\nInjected: yes") }
            let response = try await Self.exchange(port: server.port, extraHeaders: ["Sec-WebSocket-Protocol: chat"])
            #expect(response.hasPrefix("HTTP/1.1 500 ") && !response.contains("Injected"), "\(response)")
            print("attack: CR/LF/NUL in server accept headers (\(Self.evilValues.count) variants) and in a chosen "
                + "subprotocol -> HTTP 500, nothing injected")
            await server.shutdown()
        }

        @Test func serverRejectHeadersWithCRLFAreDropped() async throws {
            for value in Self.evilValues {
                let server = try Self.server { _ in .reject(status: 403, headers: ["X-Reason": value, "X-Fine": "ok"]) }
                let response = try await Self.exchange(port: server.port)
                #expect(response.hasPrefix("HTTP/1.1 403 "), "\(response)")
                #expect(!response.contains("Injected") && !response.contains("X-Reason"))
                #expect(response.contains("X-Fine: ok\r\n"))
                await server.shutdown()
            }
            print("attack: CR/LF/NUL in rejection headers (\(Self.evilValues.count) variants) -> the field is dropped, "
                + "the 403 goes out intact")
        }

        /// A valid upgrade request over raw TCP; returns the whole response.
        static func exchange(port: Int, extraHeaders: [String] = []) async throws -> String {
            try await onThread {
                let attacker = try RawSocket(port: port)
                try attacker.send(AttackWire.upgradeRequest(extraHeaders: extraHeaders))
                return String(decoding: try attacker.readUntilClosed(), as: UTF8.self)
            }
        }
    }
}
#endif
