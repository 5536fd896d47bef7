// swift-tools-version: 6.2
// Benchmark peers we did not write: hummingbird-websocket's echo server and its WSClient driver.
// Its own package so that neither the library nor our bench programs depend on SwiftNIO.
// Versions are pinned exactly: results must be comparable from run to run.
import PackageDescription

let package = Package(
    name: "SwiftWebSocketBenchPeers",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", exact: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", exact: "1.6.2"),
    ],
    targets: [
        .executableTarget(
            name: "HBServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
            ],
            path: "Sources/HBServer"
        ),
        .executableTarget(
            name: "HBClient",
            dependencies: [
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
            ],
            path: "Sources/HBClient"
        ),
    ],
    swiftLanguageModes: [.v6]
)
