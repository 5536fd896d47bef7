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
    // Apple platforms: Mutex (Synchronization) and task executors need the 2024 releases.
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "SwiftWebSocket", targets: ["SwiftWebSocket"]),
        .library(name: "WebSocketFraming", targets: ["WebSocketFraming"]),
        .library(name: "WebSocketHandshake", targets: ["WebSocketHandshake"]),
        .library(name: "WebSocketExtensions", targets: ["WebSocketExtensions"]),
        .library(name: "WebSocketCore", targets: ["WebSocketCore"]),
        .library(name: "WebSocketTransport", targets: ["WebSocketTransport"]),
        .library(name: "WebSocketDriver", targets: ["WebSocketDriver"]),
        .library(name: "WebSocketClient", targets: ["WebSocketClient"]),
        .library(name: "WebSocketServer", targets: ["WebSocketServer"]),
        .library(name: "PerMessageDeflate", targets: ["PerMessageDeflate"]),
        .library(name: "ExampleExtension", targets: ["ExampleExtension"]),
    ],
    targets: [
        // MARK: Protocol engine (stdlib only, no Foundation, no Glibc)
        // CWebSocketSIMD: our own C (no system library), for the one kernel Swift's SIMD types
        // cannot express: the byte shuffle of table-lookup UTF-8 validation (see its header).
        .target(name: "CWebSocketSIMD", path: "Modules/CSIMD"),
        .target(
            name: "WebSocketFraming",
            dependencies: ["CWebSocketSIMD"],
            path: "Modules/Framing",
            swiftSettings: strictSettings
        ),
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

        // MARK: Extensions (Plugins/): built only on the public extension protocol
        .systemLibrary(
            name: "CZlib",
            path: "Modules/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "PerMessageDeflate",
            dependencies: ["WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake", "CZlib"],
            path: "Plugins/PerMessageDeflate",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExampleExtension",
            dependencies: ["WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake"],
            path: "Plugins/ExampleExtension",
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
            dependencies: ["WebSocketCore", "WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport", "PerMessageDeflate"],
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
            dependencies: ["WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport", "PerMessageDeflate"],
            path: "Modules/Server",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwiftWebSocket",
            dependencies: [
                "WebSocketClient", "WebSocketServer", "WebSocketDriver", "WebSocketCore",
                "WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport",
                "PerMessageDeflate",
            ],
            path: "Modules/SwiftWebSocket",
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
            dependencies: ["WebSocketClient", "WebSocketServer", "WebSocketDriver", "WebSocketCore", "PerMessageDeflate", "WebSocketTransport"],
            path: "Tools/Autobahn/Driver",
            swiftSettings: strictSettings
        ),

        // MARK: Hardening (Tools/Fuzz: `make fuzz`; Tools/Attack, Tools/Soak: `make soak`)
        .target(
            name: "WebSocketFuzzHarness",
            dependencies: ["WebSocketCore", "WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport", "WebSocketTestSupport"],
            path: "Tools/Fuzz/Harness",
            swiftSettings: strictSettings
        ),
        .target(name: "CMallocStats", path: "Tools/Attack/CMallocStats"),
        .target(
            name: "WebSocketAttackSupport",
            dependencies: ["CMallocStats"],
            path: "Tools/Attack/Support",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "AttackProbe",
            dependencies: [
                "WebSocketAttackSupport", "WebSocketServer", "WebSocketDriver", "WebSocketCore", "WebSocketFuzzHarness",
            ],
            path: "Tools/Attack/Probe",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SoakTest",
            dependencies: [
                "WebSocketServer", "WebSocketClient", "WebSocketDriver", "WebSocketCore", "WebSocketTransport",
                "WebSocketAttackSupport",
            ],
            path: "Tools/Soak",
            swiftSettings: strictSettings
        ),

        // MARK: Examples (README.md shows them; make lint checks they match)
        .executableTarget(
            name: "EchoServer",
            dependencies: ["SwiftWebSocket"],
            path: "Examples/EchoServer",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "EchoClient",
            dependencies: ["SwiftWebSocket"],
            path: "Examples/EchoClient",
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
            dependencies: ["WebSocketClient", "WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport", "WebSocketTestSupport"],
            path: "Tests/ClientTests",
            exclude: [],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["WebSocketServer", "WebSocketClient", "WebSocketDriver", "WebSocketCore", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport", "WebSocketTestSupport"],
            path: "Tests/ServerTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PerMessageDeflateTests",
            dependencies: [
                "PerMessageDeflate", "WebSocketTestSupport", "WebSocketCore", "WebSocketExtensions",
                "WebSocketFraming", "WebSocketHandshake",
            ],
            path: "Tests/PerMessageDeflateTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExampleExtensionTests",
            dependencies: [
                "ExampleExtension", "PerMessageDeflate", "WebSocketTestSupport", "WebSocketCore",
                "WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake",
            ],
            path: "Tests/ExampleExtensionTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CoreTests",
            dependencies: ["WebSocketCore", "WebSocketTestSupport"],
            path: "Tests/CoreTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["WebSocketFuzzHarness"],
            path: "Tests/FuzzRegressionTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AttackTests",
            dependencies: [
                "AttackProbe", "WebSocketAttackSupport", "WebSocketServer", "WebSocketClient", "WebSocketDriver", "WebSocketCore",
                "WebSocketExtensions", "WebSocketFraming", "WebSocketHandshake", "WebSocketTransport", "WebSocketTestSupport",
            ],
            path: "Tests/AttackTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: ["WebSocketTransport", "WebSocketTestSupport"],
            path: "Tests/TransportTests",
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// MARK: Fuzz targets: one libFuzzer executable per target (Tools/Fuzz/Targets/Fuzz<Name>).
// `make fuzz` builds them with `--sanitize=fuzzer -Xswiftc -DFUZZING`; an ordinary build makes
// them replay tools. Each needs only the harness, which the regression tests share.
let fuzzTargets = [
    "FrameDecoder", "UTF8Masking", "ServerConnection", "ClientConnection", "HTTPHead", "ExtensionHeader", "ProxyHeader", "ProxyAnswers",
]

// permessage-deflate (Plugins/PerMessageDeflate) joins the fuzz harness, the attack probe and
// the attack tests as soon as the plugin is a target of this package: no edit needed here.
let hasPerMessageDeflate = package.targets.contains { $0.name == "PerMessageDeflate" }
for name in fuzzTargets + (hasPerMessageDeflate ? ["PerMessageDeflate"] : []) {
    package.targets.append(.executableTarget(
        name: "Fuzz" + name,
        dependencies: ["WebSocketFuzzHarness"],
        path: "Tools/Fuzz/Targets/Fuzz" + name,
        swiftSettings: strictSettings
    ))
}
if hasPerMessageDeflate {
    for target in package.targets where ["WebSocketFuzzHarness", "AttackProbe", "AttackTests"].contains(target.name) {
        target.dependencies.append("PerMessageDeflate")
    }
}
