import Testing
import WebSocketCore
import WebSocketExtensions
import WebSocketHandshake
import WebSocketTestSupport
@testable import PerMessageDeflate

/// One side's agreed compression, as the truth table writes it: window bits and whether the
/// context is dropped per message.
struct Direction: Hashable, Sendable, CustomStringConvertible {
    var bits: Int
    var noContextTakeover = false
    var description: String { noContextTakeover ? "\(bits) nct" : "\(bits)" }
}

/// One row of the server table in `Negotiation.md`.
struct ServerRow: Sendable, CustomTestStringConvertible {
    var row: String
    var configuration = PerMessageDeflate()
    /// The `Sec-WebSocket-Extensions` value the client sends.
    var offers: String
    /// The parameters we answer with, or nil when every offer is declined.
    var response: String?
    var outgoing = Direction(bits: 15)
    var incoming = Direction(bits: 15)
    var testDescription: String { "\(row): \(offers) -> \(response ?? "declined")" }
}

/// One row of the client table in `Negotiation.md`.
struct ClientRow: Sendable, CustomTestStringConvertible {
    var row: String
    var configuration = PerMessageDeflate()
    /// Our offer's parameters.
    var offer: String
    /// The server's response parameters.
    var response: String
    /// nil when the response must fail the handshake.
    var outgoing: Direction?
    var incoming = Direction(bits: 15)
    var testDescription: String { "\(row): \(offer) / \(response) -> \(outgoing.map { "\($0)/\(incoming)" } ?? "fail")" }
}

/// `permessage-deflate` followed by `parameters`, as a header value.
func deflateElement(_ parameters: String) -> String {
    parameters.isEmpty ? "permessage-deflate" : "permessage-deflate; " + parameters
}

func parseHeader(_ value: String) throws -> [ExtensionElement] {
    try ExtensionHeader.parse([value])
}

func configuration(_ build: (inout PerMessageDeflate) -> Void) -> PerMessageDeflate {
    var configuration = PerMessageDeflate()
    build(&configuration)
    return configuration
}

@Suite("RFC 7692 §7.1 Extension negotiation")
struct NegotiationTests {
    // MARK: Server role

    static let serverRows: [ServerRow] = [
        ServerRow(row: "S1", offers: deflateElement(""), response: ""),
        ServerRow(row: "S2", offers: deflateElement("server_no_context_takeover"),
                  response: "server_no_context_takeover", outgoing: Direction(bits: 15, noContextTakeover: true)),
        ServerRow(row: "S3", configuration: configuration { $0.serverNoContextTakeover = true },
                  offers: deflateElement(""), response: "server_no_context_takeover",
                  outgoing: Direction(bits: 15, noContextTakeover: true)),
        ServerRow(row: "S4", offers: deflateElement("client_no_context_takeover"),
                  response: "client_no_context_takeover", incoming: Direction(bits: 15, noContextTakeover: true)),
        ServerRow(row: "S5", configuration: configuration { $0.clientNoContextTakeover = true },
                  offers: deflateElement(""), response: "client_no_context_takeover",
                  incoming: Direction(bits: 15, noContextTakeover: true)),
        ServerRow(row: "S6", offers: deflateElement("server_max_window_bits=10"),
                  response: "server_max_window_bits=10", outgoing: Direction(bits: 10)),
        ServerRow(row: "S7", configuration: configuration { $0.serverMaxWindowBits = 12 },
                  offers: deflateElement(""), response: "server_max_window_bits=12", outgoing: Direction(bits: 12)),
        ServerRow(row: "S8", configuration: configuration { $0.serverMaxWindowBits = 12 },
                  offers: deflateElement("server_max_window_bits=10"), response: "server_max_window_bits=10",
                  outgoing: Direction(bits: 10)),
        ServerRow(row: "S9", configuration: configuration { $0.serverMaxWindowBits = 9 },
                  offers: deflateElement("server_max_window_bits=10"), response: "server_max_window_bits=9",
                  outgoing: Direction(bits: 9)),
        ServerRow(row: "S10", offers: deflateElement("server_max_window_bits=8"),
                  response: "server_max_window_bits=8", outgoing: Direction(bits: 8)),
        ServerRow(row: "S11", configuration: configuration { $0.serverMaxWindowBits = 8 },
                  offers: deflateElement(""), response: "server_max_window_bits=9", outgoing: Direction(bits: 9)),
        ServerRow(row: "S12", offers: deflateElement("client_max_window_bits"), response: ""),
        ServerRow(row: "S13", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offers: deflateElement("client_max_window_bits"), response: "client_max_window_bits=10",
                  incoming: Direction(bits: 10)),
        ServerRow(row: "S14", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offers: deflateElement(""), response: ""),
        ServerRow(row: "S15", offers: deflateElement("client_max_window_bits=12"),
                  response: "client_max_window_bits=12", incoming: Direction(bits: 12)),
        ServerRow(row: "S16", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offers: deflateElement("client_max_window_bits=12"), response: "client_max_window_bits=10",
                  incoming: Direction(bits: 10)),
        ServerRow(row: "S17", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offers: deflateElement("client_max_window_bits=9"), response: "client_max_window_bits=9",
                  incoming: Direction(bits: 9)),
        ServerRow(row: "S18", offers: deflateElement("client_max_window_bits=8"),
                  response: "client_max_window_bits=8", incoming: Direction(bits: 8)),
        ServerRow(row: "S19", offers: deflateElement("server_max_window_bits=\"10\""),
                  response: "server_max_window_bits=10", outgoing: Direction(bits: 10)),
        ServerRow(row: "S20",
                  offers: deflateElement("server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits"),
                  response: "server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10",
                  outgoing: Direction(bits: 10, noContextTakeover: true),
                  incoming: Direction(bits: 15, noContextTakeover: true)),
    ]

    static let declinedOffers: [ServerRow] = [
        ("D1", "x_unknown"),
        ("D2", "server_no_context_takeover; server_no_context_takeover"),
        ("D3", "client_max_window_bits; client_max_window_bits=10"),
        ("D4", "Server_No_Context_Takeover; server_no_context_takeover"),
        ("D5", "server_no_context_takeover=1"),
        ("D6", "client_no_context_takeover=true"),
        ("D7", "server_max_window_bits"),
        ("D8", "server_max_window_bits=7"), ("D8", "server_max_window_bits=16"), ("D8", "server_max_window_bits=0"),
        ("D8", "server_max_window_bits=abc"), ("D8", "server_max_window_bits=010"), ("D8", "server_max_window_bits=+9"),
        ("D9", "client_max_window_bits=7"), ("D9", "client_max_window_bits=16"), ("D9", "client_max_window_bits=abc"),
        ("D9", "client_max_window_bits=09"),
    ].map { ServerRow(row: $0.0, offers: deflateElement($0.1), response: nil) }

    static let severalOffers: [ServerRow] = [
        ServerRow(row: "M1", offers: "permessage-deflate; x_unknown, permessage-deflate", response: ""),
        ServerRow(row: "M2",
                  offers: "permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=10",
                  response: "server_max_window_bits=10", outgoing: Direction(bits: 10)),
        ServerRow(row: "M3", offers: autobahn13_7Offers,
                  response: "server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
                  outgoing: Direction(bits: 8, noContextTakeover: true),
                  incoming: Direction(bits: 15, noContextTakeover: true)),
        ServerRow(row: "M4", offers: "permessage-deflate; x_unknown, permessage-deflate; server_max_window_bits=16",
                  response: nil),
    ]

    /// Autobahn 13.7's three offers, as autobahn-python 0.10.9 writes them.
    static let autobahn13_7Offers = [
        "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=8",
        "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; client_max_window_bits",
    ].joined(separator: ", ")

    @Test("Server table", arguments: serverRows + declinedOffers + severalOffers)
    func server(_ row: ServerRow) throws {
        let agreement = try row.configuration.negotiateClientOffers(try parseHeader(row.offers))
        guard let expected = row.response else {
            #expect(agreement == nil, "\(row.row) must decline")
            return
        }
        let accepted = try #require(agreement, "\(row.row) must accept")
        #expect(ExtensionHeader.serialize([accepted.response]) == deflateElement(expected))
        let settings = try #require((accepted.extension as? PerMessageDeflateExtension)?.settings)
        #expect(Direction(bits: settings.outgoingMaxWindowBits, noContextTakeover: settings.outgoingNoContextTakeover) == row.outgoing)
        #expect(Direction(bits: settings.incomingMaxWindowBits, noContextTakeover: settings.incomingNoContextTakeover) == row.incoming)
    }

    // MARK: Client role

    static let clientRows: [ClientRow] = [
        ClientRow(row: "C1", offer: "client_max_window_bits", response: "", outgoing: Direction(bits: 15)),
        ClientRow(row: "C2", offer: "client_max_window_bits", response: "server_no_context_takeover",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 15, noContextTakeover: true)),
        ClientRow(row: "C3", configuration: configuration { $0.serverNoContextTakeover = true },
                  offer: "server_no_context_takeover; client_max_window_bits", response: "server_no_context_takeover",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 15, noContextTakeover: true)),
        ClientRow(row: "C4", configuration: configuration { $0.serverNoContextTakeover = true },
                  offer: "server_no_context_takeover; client_max_window_bits", response: "", outgoing: nil),
        ClientRow(row: "C5", offer: "client_max_window_bits", response: "client_no_context_takeover",
                  outgoing: Direction(bits: 15, noContextTakeover: true)),
        ClientRow(row: "C6", configuration: configuration { $0.clientNoContextTakeover = true },
                  offer: "client_no_context_takeover; client_max_window_bits", response: "",
                  outgoing: Direction(bits: 15, noContextTakeover: true)),
        ClientRow(row: "C7", offer: "client_max_window_bits", response: "server_max_window_bits=10",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 10)),
        ClientRow(row: "C8", configuration: configuration { $0.serverMaxWindowBits = 10 },
                  offer: "server_max_window_bits=10; client_max_window_bits", response: "server_max_window_bits=10",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 10)),
        ClientRow(row: "C9", configuration: configuration { $0.serverMaxWindowBits = 10 },
                  offer: "server_max_window_bits=10; client_max_window_bits", response: "server_max_window_bits=9",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 9)),
        ClientRow(row: "C10", configuration: configuration { $0.serverMaxWindowBits = 10 },
                  offer: "server_max_window_bits=10; client_max_window_bits", response: "server_max_window_bits=11",
                  outgoing: nil),
        ClientRow(row: "C11", configuration: configuration { $0.serverMaxWindowBits = 10 },
                  offer: "server_max_window_bits=10; client_max_window_bits", response: "", outgoing: nil),
        ClientRow(row: "C12", offer: "client_max_window_bits", response: "client_max_window_bits=9",
                  outgoing: Direction(bits: 9)),
        ClientRow(row: "C13", offer: "client_max_window_bits", response: "client_max_window_bits=8",
                  outgoing: Direction(bits: 8)),
        ClientRow(row: "C14", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offer: "client_max_window_bits=10", response: "", outgoing: Direction(bits: 10)),
        ClientRow(row: "C15", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offer: "client_max_window_bits=10", response: "client_max_window_bits=9", outgoing: Direction(bits: 9)),
        ClientRow(row: "C16", configuration: configuration { $0.clientMaxWindowBits = 10 },
                  offer: "client_max_window_bits=10", response: "client_max_window_bits=12", outgoing: nil),
        ClientRow(row: "C17", configuration: configuration { $0.offersClientMaxWindowBits = false },
                  offer: "", response: "client_max_window_bits=10", outgoing: nil),
        ClientRow(row: "C18", configuration: configuration { $0.offersClientMaxWindowBits = false; $0.clientMaxWindowBits = 11 },
                  offer: "", response: "", outgoing: Direction(bits: 11)),
        ClientRow(row: "C19", configuration: configuration { $0.serverMaxWindowBits = 8 },
                  offer: "server_max_window_bits=9; client_max_window_bits", response: "server_max_window_bits=9",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 9)),
        ClientRow(row: "C20", offer: "client_max_window_bits", response: "server_max_window_bits=\"10\"",
                  outgoing: Direction(bits: 15), incoming: Direction(bits: 10)),
    ]

    static let malformedResponses: [ClientRow] = [
        ("F1", "x_unknown"),
        ("F2", "server_no_context_takeover; server_no_context_takeover"),
        ("F3", "client_max_window_bits"),
        ("F4", "server_max_window_bits"),
        ("F5", "server_max_window_bits=7"), ("F5", "server_max_window_bits=16"), ("F5", "server_max_window_bits=abc"),
        ("F5", "server_max_window_bits=010"),
        ("F6", "client_max_window_bits=16"), ("F6", "client_max_window_bits=07"),
        ("F7", "server_no_context_takeover=1"), ("F7", "client_no_context_takeover=x"),
    ].map { ClientRow(row: $0.0, offer: "client_max_window_bits", response: $0.1, outgoing: nil) }

    @Test("Client table", arguments: clientRows + malformedResponses)
    func client(_ row: ClientRow) throws {
        #expect(row.configuration.makeClientOffers().map(\.description) == [deflateElement(row.offer)])
        let response = try #require(try parseHeader(deflateElement(row.response)).first)
        guard let outgoing = row.outgoing else {
            #expect(throws: ExtensionError.self, "\(row.row) must fail") {
                _ = try row.configuration.acceptServerResponse(response)
            }
            return
        }
        let accepted = try row.configuration.acceptServerResponse(response)
        let settings = try #require((accepted as? PerMessageDeflateExtension)?.settings)
        #expect(Direction(bits: settings.outgoingMaxWindowBits, noContextTakeover: settings.outgoingNoContextTakeover) == outgoing)
        #expect(Direction(bits: settings.incomingMaxWindowBits, noContextTakeover: settings.incomingNoContextTakeover) == row.incoming)
    }

    /// RFC 7692 §5: offers of the same extension with different parameters are fallbacks; the
    /// server's answer belongs to whichever offer it fits, not always to the first one.
    @Test("A response to the second of two offers opens with the second's settings")
    func fallbackOffer() throws {
        let factories: [any ExtensionFactory] = [PerMessageDeflate(serverMaxWindowBits: 10), PerMessageDeflate()]
        #expect(ExtensionNegotiation.clientOffers(factories).map(\.description)
            == ["permessage-deflate; server_max_window_bits=10; client_max_window_bits", "permessage-deflate; client_max_window_bits"])
        let plain = try parseHeader("permessage-deflate")
        let second = try ExtensionNegotiation.clientAccept(plain, factories: factories)
        let settings = try #require((second.extensions.first as? PerMessageDeflateExtension)?.settings)
        #expect(settings.incomingMaxWindowBits == 15)
        let first = try ExtensionNegotiation.clientAccept(try parseHeader("permessage-deflate; server_max_window_bits=10"), factories: factories)
        #expect((first.extensions.first as? PerMessageDeflateExtension)?.settings.incomingMaxWindowBits == 10)
        // A response that fits no offer is refused, with the first offer's reason.
        #expect(throws: ExtensionError.self) {
            _ = try ExtensionNegotiation.clientAccept(try parseHeader("permessage-deflate; x_unknown"), factories: factories)
        }
    }

    @Test("A failed response is a negotiation failure")
    func failureKind() throws {
        let response = try #require(try parseHeader("permessage-deflate; x_unknown").first)
        do {
            _ = try PerMessageDeflate().acceptServerResponse(response)
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .negotiationFailed)
        }
    }

    @Test("Each side uses the other's agreed window: the server table's response is what the client table accepts",
          arguments: serverRows + severalOffers)
    func bothSidesAgree(_ row: ServerRow) throws {
        guard let response = row.response, !row.offers.contains(",") else { return }
        // A client configured to send exactly this offer accepts the server's answer with the
        // mirrored settings.
        let offer = try #require(try parseHeader(row.offers).first)
        let parameters = try DeflateParameters(parsing: offer, as: .offer)
        guard parameters.serverMaxWindowBits != 8 else { return }
        var client = PerMessageDeflate()
        client.offersClientMaxWindowBits = parameters.clientMaxWindowBits != nil
        client.serverNoContextTakeover = parameters.serverNoContextTakeover
        client.clientNoContextTakeover = parameters.clientNoContextTakeover
        client.serverMaxWindowBits = parameters.serverMaxWindowBits
        if case .bits(let bits) = parameters.clientMaxWindowBits { client.clientMaxWindowBits = bits }
        let element = try #require(try parseHeader(deflateElement(response)).first)
        let settings = try #require((try client.acceptServerResponse(element) as? PerMessageDeflateExtension)?.settings)
        #expect(settings.outgoingMaxWindowBits == row.incoming.bits)
        #expect(settings.outgoingNoContextTakeover == row.incoming.noContextTakeover)
        #expect(settings.incomingMaxWindowBits == row.outgoing.bits)
        #expect(settings.incomingNoContextTakeover == row.outgoing.noContextTakeover)
    }
}
