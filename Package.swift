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
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "SimbeeJWT",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "simbee-jwt",
            dependencies: [
                "SimbeeJWT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimbeeJWTTests",
            dependencies: ["SimbeeJWT"],
            resources: [],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
