// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SimbeeJWT",
    // Linux needs nothing more. On macOS the standard library's `span` accessors on arrays and
    // strings, and `InlineArray`, which the verifier reads bytes through, ship with macOS 26.
    platforms: [.macOS(.v26)],
    products: [
        .library(name: "SimbeeJWT", targets: ["SimbeeJWT"]),
        .library(name: "SimbeeJWTTesting", targets: ["SimbeeJWTTesting"]),
        .executable(name: "simbee-jwt", targets: ["simbee-jwt"]),
        .library(name: "SimbeeJWTHummingbird", targets: ["SimbeeJWTHummingbird"]),
        .library(name: "SimbeeAuthClient", targets: ["SimbeeAuthClient"]),
    ],
    // Each minimum is the lowest release with every API this package uses (README, "Dependency
    // floors", says where each comes from and which were built here).
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.12.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            // On macOS, Homebrew's keg is not on pkg-config's path: README, "Installation".
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(
            name: "SimbeeJWT",
            dependencies: [
                "COpenSSL",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Every unsafe construct in the library must be marked `unsafe` and say why it is sound.
            swiftSettings: swiftSettings + [.strictMemorySafety()]
        ),
        .target(
            name: "SimbeeJWTTesting",
            dependencies: [
                "COpenSSL",
                "SimbeeJWT",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "simbee-jwt",
            dependencies: [
                "SimbeeAuthClient",
                "SimbeeJWT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SimbeeJWTHummingbird",
            dependencies: [
                "SimbeeJWT",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The calling side: exchanges an API key for tokens and keeps one fresh.
        .target(
            name: "SimbeeAuthClient",
            dependencies: [
                "SimbeeJWT",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The README's middleware quick start, compiled by every build so it cannot rot.
        .executableTarget(
            name: "HummingbirdQuickStart",
            dependencies: [
                "SimbeeJWT",
                "SimbeeJWTHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            ],
            path: "Examples/HummingbirdQuickStart",
            swiftSettings: swiftSettings
        ),
        // The README's "Testing your Hummingbird app", run by every `swift test` so it cannot rot.
        .testTarget(
            name: "HummingbirdAppTestingExample",
            dependencies: [
                "SimbeeJWT",
                "SimbeeJWTHummingbird",
                "SimbeeJWTTesting",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Examples/HummingbirdAppTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimbeeJWTHummingbirdTests",
            dependencies: [
                "SimbeeJWT",
                "SimbeeJWTHummingbird",
                "SimbeeJWTTesting",
                "SimbeeJWTTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimbeeAuthClientTests",
            dependencies: [
                "SimbeeAuthClient",
                "SimbeeJWT",
                "SimbeeJWTHummingbird",
                "SimbeeJWTTesting",
                "SimbeeJWTTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers the test targets share: captured logs, polling for background effects.
        .target(
            name: "SimbeeJWTTestSupport",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/SimbeeJWTTestSupport",
            swiftSettings: swiftSettings
        ),
        // Property checks shared by the fuzz driver and the corpus replay tests (Fuzz/README.md).
        .target(
            name: "SimbeeJWTFuzzChecks",
            dependencies: ["SimbeeJWT", "SimbeeJWTTesting"],
            path: "Fuzz/Checks",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimbeeJWTTests",
            dependencies: [
                "SimbeeJWT",
                "SimbeeJWTTesting",
                "SimbeeJWTFuzzChecks",
                "SimbeeJWTTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimbeeJWTTestingTests",
            dependencies: [
                "SimbeeJWT",
                "SimbeeJWTTesting",
                "SimbeeJWTTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer driver exists only for Scripts/fuzz.sh, which sets SIMBEE_JWT_FUZZ=1 and builds with
// `--sanitize=fuzzer`: libFuzzer supplies its `main`, so an ordinary build could not link it.
if Context.environment["SIMBEE_JWT_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "simbee-jwt-fuzz",
            dependencies: ["SimbeeJWTFuzzChecks"],
            path: "Fuzz/Driver",
            swiftSettings: swiftSettings
        )
    )
}
