import SimbeeJWT
import SimbeeJWTTesting

/// Distinct ES256 tokens and a verifier with its verified-token cache on: `verify-profile
/// es256-unique`, the cost of a token the cache has not seen, including storing it there.
final class UniqueTokens: Sendable {
    /// More than any run verifies, fewer than the cache holds: every verification is a miss.
    static let count = 6_000

    private let tokens: [String]
    private let verifier: JWTVerifier

    init() throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256])
        tokens = try (0..<Self.count).map { _ in try issuer.token() }
        let policy = ClaimsPolicy(issuer: issuer.issuer, audiences: [TestClaims.defaultAudience])
        verifier = try JWTVerifier(keys: try JWKSet(json: issuer.jwks), configuration: .init(claims: policy))
    }

    /// Verifies token number `index`: one never verified before while `index` stays below ``count``.
    func verify(_ index: Int) async throws -> VerifiedJWT {
        try await verifier.verify(tokens[index % Self.count])
    }
}
