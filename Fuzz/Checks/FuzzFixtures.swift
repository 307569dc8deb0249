import SimbeeJWT

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Files the checks read from the repository, found from this file's location.
enum FuzzFixtures {
    /// The repository root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Checks
        .deletingLastPathComponent()  // Fuzz
        .deletingLastPathComponent()

    /// The bytes of a file given relative to the repository root.
    static func bytes(_ relativePath: String) throws(PropertyViolation) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: root.appendingPathComponent(relativePath)))
        } catch {
            throw PropertyViolation("cannot read \(relativePath): \(error)")
        }
    }

    /// `Fixtures/tokens/manifest.json`: the pinned `now`, the issuer and the audience.
    struct Manifest {
        let now: Double
        let issuer: String
        let audience: String
    }

    static func manifest() throws(PropertyViolation) -> Manifest {
        guard case .success(.object(let object)) = JSONChecks.read(try bytes("Fixtures/tokens/manifest.json")),
            case .number(let now)? = JWKSetChecks.member(object, "now"),
            case .string(let issuer)? = JWKSetChecks.member(object, "issuer"),
            case .string(let audience)? = JWKSetChecks.member(object, "audience")
        else { throw PropertyViolation("Fixtures/tokens/manifest.json lacks now, issuer or audience") }
        return Manifest(now: now.value, issuer: issuer, audience: audience)
    }
}
