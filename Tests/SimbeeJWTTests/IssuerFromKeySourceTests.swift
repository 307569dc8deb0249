import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// A verifier over `RemoteJWKS(issuer:)` whose policy names no issuer requires that issuer in `iss`
/// (RFC 8725 §3.8), over the testing kit's JWK Set server on 127.0.0.1.
@Suite("The issuer of a RemoteJWKS made from one")
struct IssuerFromKeySourceTests {
    /// A fresh token from `issuer`'s keys claiming `iss` (left out when `nil`).
    static func token(_ issuer: SimbeeTestIssuer, iss: String?) throws -> String {
        var claims = TestClaims()
        if let iss {
            claims.issuer = iss
            return try issuer.token(claims)
        }
        return try issuer.token(claims.omitting(["iss"]))
    }

    static func verifier(_ keys: RemoteJWKS, policyIssuer: String? = nil) throws -> JWTVerifier {
        var claims = ClaimsPolicy(issuer: policyIssuer, audiences: [TestClaims.defaultAudience])
        claims.leeway = .seconds(60)
        return try JWTVerifier(keys: keys, configuration: .init(claims: claims))
    }

    @Test("RemoteJWKS.issuer is the issuer exactly as given; a set given by URL has none")
    func issuerAsGiven() throws {
        #expect(try RemoteJWKS(issuer: "https://api.simbee.io").issuer == "https://api.simbee.io")
        let slashed = try RemoteJWKS(issuer: "https://api.simbee.io/")
        #expect(slashed.issuer == "https://api.simbee.io/")
        #expect(slashed.url == "https://api.simbee.io/.well-known/jwks.json")
        #expect(try RemoteJWKS(url: "https://api.simbee.io/.well-known/jwks.json").issuer == nil)
    }

    @Test("with no issuer in the policy, only tokens naming the key set's issuer verify; near misses are refused")
    func requiresTheSourcesIssuer() async throws {
        let issuer = try SimbeeTestIssuer()
        try await SimbeeTestJWKSServer.withServer(serving: issuer) { server in
            let expected = "http://127.0.0.1:\(server.port)"
            let verifier = try Self.verifier(try RemoteJWKS(issuer: expected))
            #expect(try await verifier.verify(try Self.token(issuer, iss: expected)).claims.issuer == expected)
            for other in [
                "https://api.simbee.io",  // another tenant of a shared key set
                expected + "/",
                String(expected.dropLast()),
                expected.uppercased(),
                " " + expected,
                "",
            ] {
                await TestSupport.expect(try Self.token(issuer, iss: other), verifier, .issuerMismatch, "\(other)")
            }
            await TestSupport.expect(try Self.token(issuer, iss: nil), verifier, .missingClaim)
        }
    }

    @Test("an issuer the policy names wins over the key set's")
    func policyIssuerWins() async throws {
        let issuer = try SimbeeTestIssuer()
        try await SimbeeTestJWKSServer.withServer(serving: issuer) { server in
            let located = "http://127.0.0.1:\(server.port)"
            let verifier = try Self.verifier(try RemoteJWKS(issuer: located), policyIssuer: issuer.issuer)
            #expect(
                try await verifier.verify(try Self.token(issuer, iss: issuer.issuer)).claims.issuer == issuer.issuer
            )
            await TestSupport.expect(try Self.token(issuer, iss: located), verifier, .issuerMismatch)
        }
    }

    @Test("a set given by URL, and a static set, leave iss unchecked when the policy names none")
    func urlAndStaticSetsLeaveIssUnchecked() async throws {
        let issuer = try SimbeeTestIssuer()
        try await SimbeeTestJWKSServer.withServer(serving: issuer) { server in
            let byURL = try Self.verifier(try RemoteJWKS(url: server.url))
            var claims = ClaimsPolicy(audiences: [TestClaims.defaultAudience])
            claims.leeway = .seconds(60)
            let byDocument = try JWTVerifier(keys: try JWKSet(json: issuer.jwks), configuration: .init(claims: claims))
            for verifier in [byURL, byDocument] {
                for iss in ["https://api.simbee.io", "http://127.0.0.1:\(server.port)", "https://issuer.invalid"] {
                    #expect(try await verifier.verify(try Self.token(issuer, iss: iss)).claims.issuer == iss)
                }
            }
        }
    }
}
