import WebSocketFraming

extension FuzzTarget {
    /// The server's read path through the Core: upgrade request, then frames, in random chunks,
    /// with small limits, credit, blocked output, echoes, an application close, EOF and close
    /// timeouts as the input chooses (see ``ConnectionScenario``).
    public static let serverConnection = FuzzTarget(name: "server-connection", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let scenario = ConnectionScenario(role: .server, &input)
        var run = try ConnectionRun(scenario, offering: scenario.offersToyExtension ? ["x-toy"] : [])
        try run.run()
    }, seeds: ConnectionSeeds.server)

    /// The client's read path through the Core: the server's response (or a valid 101 the
    /// harness prepends, since the fuzzer cannot forge `Sec-WebSocket-Accept`), then frames.
    public static let clientConnection = FuzzTarget(name: "client-connection", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let scenario = ConnectionScenario(role: .client, &input)
        var run = try ConnectionRun(scenario, offering: scenario.offersToyExtension ? ["x-toy"] : [])
        try run.run()
    }, seeds: ConnectionSeeds.client)
}
