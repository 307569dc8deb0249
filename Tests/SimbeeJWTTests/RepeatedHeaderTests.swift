import SimbeeJWTTesting
import Testing

@testable import SimbeeJWT

/// Tokens from one issuer share a few header segments. Whatever a verifier saw before, each token
/// is judged by its own header bytes and signature.
@Suite("Headers seen again")
struct RepeatedHeaderTests {
    @Test("many distinct headers, each verified again and again, all verify with their own key")
    func manyHeaders() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.edDSA])
        // kids differ in one byte, so their header segments differ in a byte or two.
        let keys = try (0..<7).map { try issuer.addKey(.es256, keyID: "key-\($0)") }
        let verifier = try JWTVerifier(
            keys: try JWKSet(json: issuer.jwks),
            configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil)
        )
        for round in 0..<3 {
            for key in keys.shuffled() {
                let verified = try await verifier.verify(try issuer.token(signedWith: key))
                #expect(verified.header.keyID == key.keyID, "round \(round)")
            }
        }
        // A header seen before does not vouch for another key's signature.
        var borrowed = TestHeader()
        borrowed.keyID = keys[1].keyID
        await TestSupport.expect(
            try issuer.token(header: borrowed, signedWith: keys[0]),
            verifier,
            .invalidSignature
        )
    }

    @Test("a refused header is refused every time; a header seen before still meets each verifier's allow-list")
    func refusalsAreNotRemembered() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256, .edDSA])
        let keys = try JWKSet(json: issuer.jwks)
        let verifier = try JWTVerifier(
            keys: keys,
            configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil)
        )
        var critical = TestHeader()
        critical.extra["crit"] = .array([.string("exp")])
        for _ in 0..<3 {
            await TestSupport.expect(try issuer.token(header: critical), verifier, .unsupportedCriticalHeader)
        }
        // Another verifier with a narrower allow-list refuses the algorithm
        // of a header the first has already seen.
        let token = try issuer.token(algorithm: .edDSA)
        #expect(try await verifier.verify(token).header.algorithm == .edDSA)
        #expect(try await verifier.verify(try issuer.token(algorithm: .edDSA)).header.algorithm == .edDSA)
        let es256Only = try JWTVerifier(
            keys: keys,
            configuration: .init(
                algorithms: [.es256],
                claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]),
                tokenCache: nil
            )
        )
        await TestSupport.expect(token, es256Only, .algorithmNotAllowed)
        await TestSupport.expect(token, es256Only, .algorithmNotAllowed)
    }

    @Test("long headers verify the same each time")
    func longHeaders() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256])
        let verifier = try JWTVerifier(
            keys: try JWKSet(json: issuer.jwks),
            configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil)
        )
        var long = TestHeader()
        long.extra["x5u"] = .string(String(repeating: "u", count: 256))
        for _ in 0..<3 {
            #expect(try await verifier.verify(try issuer.token(header: long)).header.keyID != nil)
        }
        var longCritical = long
        longCritical.extra["crit"] = .array([.string("exp")])
        await TestSupport.expect(try issuer.token(header: longCritical), verifier, .unsupportedCriticalHeader)
    }
}
