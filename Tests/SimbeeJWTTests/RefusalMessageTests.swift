import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Refusal messages say why in terms an operator can act on (the times, the expected values), and
/// never hold the token's bytes.
@Suite("Refusal messages say why")
struct RefusalMessageTests {
    static func refusal(_ name: String, policy: (inout ClaimsPolicy) -> Void = { _ in }) async throws -> JWTError {
        let manifest = try TestSupport.manifest()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience, "cl_second"])
        claims.clock = TestSupport.pinnedClock(manifest.now)
        policy(&claims)
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: claims))
        let token = try #require(manifest.cases.first { $0.name == name }).token
        return try #require(await TestSupport.refusal(token, verifier))
    }

    @Test("expired: exp, the time and the leeway; not yet valid: nbf, the time and the leeway")
    func times() async throws {
        let expired = try await Self.refusal("es256-expired")
        #expect(expired.code == .expired)
        #expect(expired.message == "token expired: exp 1795999939, now 1796000000, leeway 60 s")
        let strict = try await Self.refusal("es256-expired") { $0.leeway = .zero }
        #expect(strict.message.hasSuffix("leeway 0 s"))
        let early = try await Self.refusal("es256-nbf-future")
        #expect(early.code == .notYetValid)
        #expect(early.message.hasPrefix("token is not valid yet: nbf "))
        #expect(early.message.hasSuffix(", now 1796000000, leeway 60 s"))
    }

    @Test("audience_mismatch names the accepted audiences; issuer_mismatch the expected issuer")
    func expectedValues() async throws {
        let audience = try await Self.refusal("es256-wrong-aud")
        #expect(audience.code == .audienceMismatch)
        #expect(audience.message == #"aud does not contain an accepted audience ("cl_fixture", "cl_second")"#)
        let issuer = try await Self.refusal("es256-wrong-iss")
        #expect(issuer.code == .issuerMismatch)
        #expect(issuer.message == #"iss is not the expected issuer "https://api.simbee.io""#)
        let missing = try await Self.refusal("es256-valid") { $0.requiredClaims = ["org"] }
        #expect(missing.code == .missingClaim && missing.message == "token has no org")
    }

    @Test("no refusal message of any fixture token holds a piece of that token")
    func noTokenBytes() async throws {
        let manifest = try TestSupport.manifest()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = TestSupport.pinnedClock(manifest.now)
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: claims))
        var refused = 0
        for fixture in manifest.cases {
            guard let error = await TestSupport.refusal(fixture.token, verifier) else { continue }
            refused += 1
            let pieces = fixture.token.split(separator: ".").map(String.init).filter { $0.count >= 8 }
            for piece in pieces {
                for start in stride(from: 0, to: piece.count - 7, by: 4) {
                    let window = piece.dropFirst(start).prefix(8)
                    #expect(!error.message.contains(window), "\(fixture.name): \(error.message)")
                }
            }
        }
        #expect(refused > 20)
    }
}
