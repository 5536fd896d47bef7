#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import Testing
import WebSocketCore
import WebSocketTestSupport

#if canImport(PerMessageDeflate)
import PerMessageDeflate
#endif

extension Attacks {
    /// RFC 7692 §7.1: window bits must be 8-15 (a client's `client_max_window_bits` may have no
    /// value), every parameter at most once, no unknown parameter; a server declines such an
    /// offer, a client fails on such a response (python-websockets does the same). No trap.
    @Suite("permessage-deflate negotiation: hostile parameters")
    struct DeflateParameters {
        static let offers = [
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=0",
            "permessage-deflate; server_max_window_bits=-1",
            "permessage-deflate; server_max_window_bits=99999999999999999999999",
            "permessage-deflate; server_max_window_bits=\"1O\"",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; client_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "permessage-deflate; client_max_window_bits; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; x-unknown",
        ]

        static let responses = [
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=16",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=99999999999999999999999",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits=10; client_max_window_bits=10",
            "permessage-deflate; client_no_context_takeover=yes",
            "permessage-deflate; x-unknown",
            "permessage-deflate, permessage-deflate",
        ]

        #if canImport(PerMessageDeflate)
        static let hasPerMessageDeflate = true
        #else
        static let hasPerMessageDeflate = false
        #endif

        @Test(.disabled(if: !Self.hasPerMessageDeflate, "needs the PerMessageDeflate plugin in the package"))
        func outOfRangeOrDuplicateParametersAreRefusedWithoutATrap() throws {
            #if canImport(PerMessageDeflate)
            var configuration = Configuration()
            configuration.extensions = [PerMessageDeflate()]
            var outcomes: [String] = []
            for offer in Self.offers {
                var connection = Connection.server(configuration: configuration)
                connection.receive(Harness.request(extraHeaders: ["Sec-WebSocket-Extensions: " + offer]))
                if case .upgradeRequest = connection.nextEvent() { try? connection.accept() }
                let response = String(decoding: connection.takeOutput(), as: UTF8.self)
                let status = String(response.utf8.prefix(12).dropFirst(9)) ?? "?"
                let negotiated = response.hasPrefix("HTTP/1.1 101") && response.lowercased().contains("permessage-deflate")
                #expect(!negotiated, "server accepted \(offer)")
                outcomes.append(negotiated ? "ACCEPTED" : status)
            }
            var clientFailures = 0
            for answer in Self.responses {
                var connection = try Connection.client(host: "server.example.com", configuration: configuration,
                                                       random: SeededRandom(seed: 3))
                let request = String(decoding: connection.takeOutput(), as: UTF8.self)
                connection.receive(Harness.response(for: request, extraHeaders: ["Sec-WebSocket-Extensions: " + answer]))
                let closed = connection.takeEvents().contains { if case .closed = $0 { true } else { false } }
                #expect(closed && connection.phase == .closed, "client accepted \(answer)")
                if closed { clientFailures += 1 }
            }
            print("attack: \(Self.offers.count) hostile permessage-deflate offers -> server answers "
                + outcomes.joined(separator: "/") + " without the extension; \(clientFailures)/\(Self.responses.count) "
                + "hostile responses fail our client's handshake; no trap")
            #endif
        }
    }
}
#endif
