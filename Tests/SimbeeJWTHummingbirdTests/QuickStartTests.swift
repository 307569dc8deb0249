import Foundation
import Testing

/// The README's Hummingbird examples are the example targets' sources, byte for byte: the build
/// compiles `Examples/HummingbirdQuickStart/main.swift` and `swift test` runs
/// `Examples/HummingbirdAppTesting/OrdersTests.swift`, so the README cannot show code that does
/// not compile or run.
@Suite("README examples")
struct QuickStartTests {
    /// The README block that follows `<!-- quick-start: path -->`.
    static func readmeBlock(for path: String) throws -> String {
        let readme = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"),
            encoding: .utf8
        )
        let marker = "<!-- quick-start: \(path) -->\n```swift\n"
        let start = try #require(readme.range(of: marker), "README lost its marker for \(path)")
        let end = try #require(readme.range(of: "\n```\n", range: start.upperBound..<readme.endIndex))
        return String(readme[start.upperBound..<end.lowerBound]) + "\n"
    }

    /// Each example with what shows it is whole: a service, or a test of one with the kit.
    static let examples: [(path: String, needed: [String])] = [
        (
            "Examples/HummingbirdQuickStart/main.swift",
            ["import SimbeeJWTHummingbird", "SimbeeAuthenticator", "RequireScopes", "runService()"]
        ),
        (
            "Examples/HummingbirdAppTesting/OrdersTests.swift",
            ["SimbeeTestJWKSServer.withServer", "app.test(.router)", "@Test", "requireSimbeeIdentity"]
        ),
    ]

    @Test("The README block is the example target's source", arguments: examples)
    func readmeBlockIsTheExample(_ example: (path: String, needed: [String])) throws {
        let source = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent(example.path),
            encoding: .utf8
        )
        #expect(try Self.readmeBlock(for: example.path) == source)
        for needed in example.needed {
            #expect(source.contains(needed), "\(needed)")
        }
    }
}
