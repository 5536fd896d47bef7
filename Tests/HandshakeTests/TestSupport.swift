import Testing
import WebSocketHandshake

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Lowercase hex of `bytes`.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
}

/// An HTTP head from lines: each line ends in CRLF and an empty line ends the head.
func head(_ lines: [String]) -> [UInt8] {
    bytes(lines.map { $0 + "\r\n" }.joined() + "\r\n")
}

/// Parses a complete head in one chunk.
func parseHead(_ lines: [String], limits: HTTPHeadLimits = .init()) throws(HandshakeError) -> HTTPHead {
    var parser = HTTPHeadParser(limits: limits)
    guard let result = try parser.parse(head(lines)) else {
        throw HandshakeError(.malformedStartLine, message: "test: head incomplete")
    }
    return result
}

/// Expects `body` to throw a `HandshakeError` of `kind`; returns the error.
@discardableResult
func expectError<R>(
    _ kind: HandshakeError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> R
) -> HandshakeError? {
    do {
        _ = try body()
        Issue.record("expected \(kind), got no error", sourceLocation: sourceLocation)
        return nil
    } catch let error as HandshakeError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected HandshakeError \(kind), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A seeded generator (SplitMix64) so tests are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The RFC 6455 §1.3 sample nonce and its accept value.
let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
