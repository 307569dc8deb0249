// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SimbeeJWT",
    products: [
        .library(name: "SimbeeJWT", targets: ["SimbeeJWT"]),
        .executable(name: "simbee-jwt", targets: ["simbee-jwt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
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
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "simbee-jwt",
            dependencies: [
                "SimbeeJWT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Property checks shared by the fuzz driver and the corpus replay tests (Fuzz/README.md).
        .target(
            name: "SimbeeJWTFuzzChecks",
            dependencies: ["COpenSSL", "SimbeeJWT"],
            path: "Fuzz/Checks",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimbeeJWTTests",
            dependencies: [
                "SimbeeJWT",
                "SimbeeJWTFuzzChecks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
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
