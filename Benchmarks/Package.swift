// swift-tools-version:6.2
// The benchmark package: its own manifest so that the library's build stays light.
// Run from the repository root: `Benchmarks/compare.sh` (or `swift package --package-path Benchmarks benchmark`).
import PackageDescription

import struct Foundation.URL

// A path dependency's identity is its folder's name, whatever the clone is called.
let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "SimbeeJWTBenchmarks",
    platforms: [.macOS(.v26)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.12.0"),
    ],
    targets: [
        // libcrypto for the OpenSSL floor benchmarks (the floor calls OpenSSL directly).
        .systemLibrary(name: "CBenchOpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "BenchSupport",
            dependencies: [
                "CBenchOpenSSL",
                .product(name: "SimbeeJWT", package: library),
                .product(name: "SimbeeAuthClient", package: library),
                .product(name: "SimbeeJWTTesting", package: library),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "VerifyBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SimbeeAuthClient", package: library),
            ],
            path: "Benchmarks/VerifyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain loop over one operation, for callgrind instruction counts (`Benchmarks/profile.sh`).
        .executableTarget(
            name: "verify-profile",
            dependencies: [
                "BenchSupport",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SimbeeAuthClient", package: library),
                .product(name: "SimbeeJWTTesting", package: library),
            ]
        ),
    ]
)
