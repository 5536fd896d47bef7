// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every target: Swift 6 language mode plus the upcoming features that
/// DESIGN.md §9 asks for.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "SwiftWebSocket",
    products: [
        .library(name: "WebSocketFraming", targets: ["WebSocketFraming"]),
        .library(name: "WebSocketHandshake", targets: ["WebSocketHandshake"]),
        .library(name: "WebSocketExtensions", targets: ["WebSocketExtensions"]),
        .library(name: "WebSocketCore", targets: ["WebSocketCore"]),
        .library(name: "WebSocketTransport", targets: ["WebSocketTransport"]),
        .library(name: "WebSocketClient", targets: ["WebSocketClient"]),
        .library(name: "WebSocketServer", targets: ["WebSocketServer"]),
    ],
    targets: [
        // MARK: Protocol engine (stdlib only, no Foundation, no Glibc)
        .target(name: "WebSocketFraming", path: "Modules/Framing", swiftSettings: strictSettings),
        .target(name: "WebSocketHandshake", path: "Modules/Handshake", swiftSettings: strictSettings),
        .target(
            name: "WebSocketExtensions",
            dependencies: ["WebSocketFraming", "WebSocketHandshake"],
            path: "Modules/Extensions",
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebSocketCore",
            dependencies: ["WebSocketFraming", "WebSocketHandshake", "WebSocketExtensions"],
            path: "Modules/Core",
            swiftSettings: strictSettings
        ),

        // MARK: I/O
        .systemLibrary(
            name: "COpenSSL",
            path: "Modules/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(
            name: "WebSocketTransport",
            dependencies: ["COpenSSL"],
            path: "Modules/Transport",
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebSocketDriver",
            dependencies: ["WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport"],
            path: "Modules/Driver",
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebSocketClient",
            dependencies: ["WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport"],
            path: "Modules/Client",
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebSocketServer",
            dependencies: ["WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport"],
            path: "Modules/Server",
            swiftSettings: strictSettings
        ),

        // MARK: Tools
        .executableTarget(
            name: "CodecBench",
            dependencies: ["WebSocketFraming"],
            path: "Tools/Bench/Codec",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "AutobahnDriver",
            dependencies: ["WebSocketClient", "WebSocketServer", "WebSocketDriver", "WebSocketCore", "WebSocketTransport"],
            path: "Tools/Autobahn/Driver",
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .target(
            name: "WebSocketTestSupport",
            dependencies: ["WebSocketCore", "WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake"],
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FramingTests",
            dependencies: ["WebSocketFraming"],
            path: "Tests/FramingTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandshakeTests",
            dependencies: ["WebSocketHandshake"],
            path: "Tests/HandshakeTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExtensionsTests",
            dependencies: ["WebSocketExtensions", "WebSocketTestSupport"],
            path: "Tests/ExtensionsTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ClientTests",
            dependencies: ["WebSocketClient", "WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport"],
            path: "Tests/ClientTests",
            exclude: [],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["WebSocketServer", "WebSocketClient", "WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport"],
            path: "Tests/ServerTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CoreTests",
            dependencies: ["WebSocketCore", "WebSocketTestSupport"],
            path: "Tests/CoreTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: ["WebSocketTransport"],
            path: "Tests/TransportTests",
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
