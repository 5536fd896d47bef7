import Testing
import WebSocketCore
import WebSocketFraming
import WebSocketHandshake
import WebSocketTestSupport

/// RFC 6455 §5.3: a client's masking keys are unpredictable, with the default generator.
@Suite("RFC 6455 §5.3 Masking keys")
struct MaskingKeyTests {
    /// The masking key of each frame a client wrote (short frames: 2 header bytes, then the key).
    private func keys(sending count: Int, on connection: inout Connection) throws -> [[UInt8]] {
        try (0..<count).map { _ in
            try connection.send(text: "x")
            return Array(connection.takeOutput()[2..<6])
        }
    }

    /// A client `Connection` is a value: a copy made while open and its original each send,
    /// and no masking key of one appears among the other's (the copy re-keys its generator
    /// instead of replaying the original's stream, which the peer has seen part of).
    @Test func aCopiedConnectionDoesNotRepeatItsOriginalsKeys() throws {
        var original = try Connection.client(host: "server.example.com")
        let request = String(decoding: original.takeOutput(), as: UTF8.self)
        original.receive(Harness.response(for: request))
        guard case .open = original.nextEvent() else { Issue.record("the client did not open"); return }
        _ = try keys(sending: 3, on: &original)
        var copy = original
        let fromCopy = try keys(sending: 32, on: &copy)
        let fromOriginal = try keys(sending: 32, on: &original)
        #expect(Set(fromCopy).intersection(fromOriginal).count == 0)
        #expect(Set(fromCopy + fromOriginal).count == 64)
    }
}
