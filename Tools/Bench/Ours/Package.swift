// swift-tools-version: 6.2
// The loopback benchmark's Swift programs that use only SwiftWebSocket: our echo server and our
// client driver. A separate package (path dependency on the repository root), so that the
// library's users never see them; `make bench` builds it in release mode.
import PackageDescription

let package = Package(
    name: "SwiftWebSocketBench",
    dependencies: [
        .package(name: "SwiftWebSocket", path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "BenchServer",
            dependencies: [.product(name: "SwiftWebSocket", package: "SwiftWebSocket")],
            path: "Sources/BenchServer"
        ),
        .executableTarget(
            name: "BenchClient",
            dependencies: [.product(name: "SwiftWebSocket", package: "SwiftWebSocket")],
            path: "Sources/BenchClient"
        ),
        .executableTarget(
            name: "CoreEcho",
            dependencies: [
                .product(name: "WebSocketCore", package: "SwiftWebSocket"),
                .product(name: "WebSocketFraming", package: "SwiftWebSocket"),
            ],
            path: "Sources/CoreEcho"
        ),
    ],
    swiftLanguageModes: [.v6]
)
