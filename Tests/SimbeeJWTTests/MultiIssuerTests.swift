import Foundation
import Synchronization
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// A verifier of several issuers: the token's `iss` picks the key source, and only that issuer's
/// keys can make its token verify.
@Suite("Several issuers, each with its own keys")
struct MultiIssuerTests {
    static let production = "https://api.simbee.io"
    static let staging = "https://staging.simbee.io"

    /// A key source that counts its lookups, over a fixture set holding `kids`.
    final class CountingSource: JWTKeySource, Sendable {
        let set: JWKSet
        private let count = Mutex(0)

        /// The lookups so far.
        var lookups: Int { count.withLock { $0 } }

        init(_ kids: [String]) throws {
            set = try JWKSet(json: RemoteJWKSHarness.document(kids))
        }

        func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
            count.withLock { $0 += 1 }
            return try set.key(for: keyID, algorithm: algorithm)
        }
    }

    struct Setup {
        let verifier: JWTVerifier
        let production: CountingSource
        let staging: CountingSource
    }

    static func setup() throws -> Setup {
        let production = try CountingSource(["es256-a"])
        let staging = try CountingSource(["es256-b"])
        var claims = ClaimsPolicy(audiences: ["cl_1"])
        claims.requiresExpiration = false
        let verifier = try JWTVerifier(
            issuers: [TrustedIssuer(Self.production, keys: production), TrustedIssuer(Self.staging, keys: staging)],
            configuration: .init(claims: claims)
        )
        return Setup(verifier: verifier, production: production, staging: staging)
    }

    static func token(_ key: TokenMinter.Key, iss: String?) throws -> String {
        let issuer = iss.map { #""iss":"\#($0)","# } ?? ""
        return try TokenMinter(key).token(payload: #"{\#(issuer)"sub":"cu_1","aud":"cl_1"}"#)
    }

    @Test("each issuer's tokens verify with its own keys, and the verified claims name it")
    func eachIssuer() async throws {
        let setup = try Self.setup()
        let fromProduction = try await setup.verifier.verify(try Self.token(.es256A, iss: Self.production))
        #expect(fromProduction.claims.issuer == Self.production)
        let stagingToken = try Self.token(.es256B, iss: Self.staging)
        let fromStaging = try await setup.verifier.verify(stagingToken)
        #expect(fromStaging.claims.issuer == Self.staging)
        #expect(setup.production.lookups == 1 && setup.staging.lookups == 1)
        // A cache hit looks its key up again in its own issuer's source.
        _ = try await setup.verifier.verify(stagingToken)
        #expect(try #require(setup.verifier.tokenCache).statistics.hits == 1)
        #expect(setup.staging.lookups == 2 && setup.production.lookups == 1)
    }

    @Test("a token naming one issuer but signed with another's key is refused by the named issuer's keys")
    func crossIssuer() async throws {
        let setup = try Self.setup()
        // Staging's key (kid es256-b) under production's iss: production has no such key.
        await TestSupport.expect(try Self.token(.es256B, iss: Self.production), setup.verifier, .unknownKey)
        #expect(setup.staging.lookups == 0)
        // And the attacker's key under the right kid: the signature fails.
        await TestSupport.expect(
            try Self.token(.attackerES256, iss: Self.production),
            setup.verifier,
            .invalidSignature
        )
    }

    @Test("an issuer outside the set, or none, is refused before any key lookup")
    func outsideTheSet() async throws {
        let setup = try Self.setup()
        for iss in ["https://evil.example", "https://api.simbee.io/", "https://API.simbee.io", "https://api.simbee.i"] {
            await TestSupport.expect(try Self.token(.es256A, iss: iss), setup.verifier, .issuerMismatch, "\(iss)")
        }
        await TestSupport.expect(try Self.token(.es256A, iss: nil), setup.verifier, .missingClaim)
        let numeric = try TokenMinter(.es256A).token(payload: #"{"iss":7,"sub":"cu_1","aud":"cl_1"}"#)
        await TestSupport.expect(numeric, setup.verifier, .invalidClaim)
        #expect(setup.production.lookups == 0 && setup.staging.lookups == 0)
    }

    @Test("configuration: no issuer, an empty or repeated one, or a policy issuer as well, is refused")
    func configuration() throws {
        let source = try CountingSource(["es256-a"])
        let attempts: [(String, () throws(JWTError) -> JWTVerifier)] = [
            ("none", { () throws(JWTError) in try JWTVerifier(issuers: []) }),
            ("empty", { () throws(JWTError) in try JWTVerifier(issuers: [TrustedIssuer("", keys: source)]) }),
            (
                "repeated",
                { () throws(JWTError) in
                    try JWTVerifier(issuers: [TrustedIssuer("a", keys: source), TrustedIssuer("a", keys: source)])
                }
            ),
            (
                "policy issuer",
                { () throws(JWTError) in
                    try JWTVerifier(
                        issuers: [TrustedIssuer("a", keys: source)],
                        configuration: .init(claims: ClaimsPolicy(issuer: "a"))
                    )
                }
            ),
        ]
        for (name, attempt) in attempts {
            #expect(throws: JWTError.self, "\(name)") { try attempt() }
        }
        // Near misses: two issuers that differ in one byte are two issuers.
        _ = try JWTVerifier(issuers: [TrustedIssuer("a", keys: source), TrustedIssuer("A", keys: source)])
    }
}
