import SimbeeJWTTesting
import Testing

@testable import SimbeeJWT

/// Selecting a key by `kid` in sets of several sizes: the lookup must find exactly the key the token
/// names, compared byte for byte, never a look-alike.
@Suite("JWK Set lookup by kid")
struct JWKSetLookupTests {
    /// `keyCount` ES256 keys beside the issuer's one EdDSA key: sets of 2, 8, 9 and 21 keys.
    @Test("each key verifies its own tokens and an unknown or look-alike kid is refused", arguments: [1, 7, 8, 20])
    func lookup(keyCount: Int) async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.edDSA])
        // "K-n" in ASCII; the look-alike below starts with U+212A KELVIN SIGN, which Swift's String
        // equality treats as equal to "K".
        let keys = try (0..<keyCount).map { try issuer.addKey(.es256, keyID: "K-\($0)") }
        let set = try JWKSet(json: issuer.jwks)
        #expect(set.count == keyCount + 1)
        let verifier = try JWTVerifier(keys: set, configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil))

        for key in keys {
            let verified = try await verifier.verify(try issuer.token(signedWith: key))
            #expect(verified.header.keyID == key.keyID)
            #expect(try set.key(for: key.keyID, algorithm: .es256).keyID == key.keyID)
        }
        let unpublished = try TestSigningKey(.es256, keyID: "K-\(keyCount)")
        await TestSupport.expect(try issuer.token(signedWith: unpublished), verifier, .unknownKey)
        let lookAlike = try TestSigningKey(.es256, keyID: "\u{212A}-0")
        await TestSupport.expect(try issuer.token(signedWith: lookAlike), verifier, .unknownKey)
        #expect(throws: JWTError.self) { try set.key(for: "\u{212A}-0", algorithm: .es256) }
        #expect(throws: JWTError.self) { try set.key(for: "K-0 ", algorithm: .es256) }
        #expect(throws: JWTError.self) { try set.key(for: "", algorithm: .es256) }
    }
}
