import Foundation
import Testing

/// The README's middleware quick start is the example target's source, byte for byte: the build
/// compiles `Examples/HummingbirdQuickStart/main.swift`, so the README cannot show code that does
/// not compile.
@Suite("README quick start")
struct QuickStartTests {
    static let marker = "<!-- quick-start: Examples/HummingbirdQuickStart/main.swift -->\n```swift\n"

    @Test func readmeBlockIsTheCompiledExample() throws {
        let root = Fixtures.repositoryRoot
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(
            contentsOf: root.appendingPathComponent("Examples/HummingbirdQuickStart/main.swift"),
            encoding: .utf8
        )
        let start = try #require(readme.range(of: Self.marker), "README lost its quick-start marker")
        let end = try #require(readme.range(of: "\n```\n", range: start.upperBound..<readme.endIndex))
        let block = String(readme[start.upperBound..<end.lowerBound]) + "\n"
        #expect(block == example)
        // The example is a whole service, not a fragment.
        for needed in ["import SimbeeJWTHummingbird", "SimbeeAuthenticator", "RequireScopes", "runService()"] {
            #expect(example.contains(needed), "\(needed)")
        }
    }
}
