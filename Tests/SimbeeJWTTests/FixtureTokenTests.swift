import Foundation
import Testing
@_spi(Testing) @testable import SimbeeJWT

/// Tokens made by the independent generator (`Fixtures/generate.py`, pyca/cryptography) get exactly
/// the verdict the manifest records.
@Suite("Fixture tokens from the independent implementation")
struct FixtureTokenTests {
    static var cases: [TestSupport.Manifest.Case] { get throws { try TestSupport.manifest().cases } }

    @Test("the manifest is present and covers every outcome class")
    func manifestCoverage() throws {
        let manifest = try TestSupport.manifest()
        let outcomes = Set(manifest.cases.map(\.expect))
        for expected in [
            "valid", "malformed", "token_too_large", "unsupported_algorithm", "unknown_key", "key_mismatch",
            "invalid_signature", "unsupported_critical_header", "expired", "not_yet_valid", "issuer_mismatch",
            "audience_mismatch", "missing_claim", "invalid_claim",
        ] {
            #expect(outcomes.contains(expected), "no fixture expects \(expected)")
        }
        #expect(manifest.cases.count >= 90)
    }

    @Test("each fixture token gets its recorded verdict", arguments: try cases)
    func fixtureVerdict(_ fixture: TestSupport.Manifest.Case) async throws {
        let manifest = try TestSupport.manifest()
        let verifier = try TestSupport.manifestVerifier(manifest, options: fixture.options)
        let outcome = await TestSupport.outcome(verifier, fixture.token)
        #expect(outcome == fixture.expect, "\(fixture.name): \(fixture.description)")
    }

    @Test("valid fixture tokens expose their registered claims")
    func validClaims() async throws {
        let manifest = try TestSupport.manifest()
        let verifier = try TestSupport.manifestVerifier(manifest)
        let fixture = try #require(manifest.cases.first { $0.name == "es256-valid" })
        let token = try await verifier.verify(fixture.token)
        #expect(token.header.algorithm == .es256)
        #expect(token.header.keyID == "es256-a")
        #expect(token.claims.issuer == "https://api.simbee.io")
        #expect(token.claims.subject == "cu_fixture1")
        #expect(token.claims.audience == ["cl_fixture"])
        #expect(token.claims.scopes == ["admin", "read", "write"])
        #expect(token.claims.expiration == Date(timeIntervalSince1970: manifest.now - 60 + 900))
        #expect(token.claims.id == "es256-valid")

        struct Custom: Decodable { let sub: String; let scopes: [String] }
        let custom = try token.decodeClaims(as: Custom.self)
        #expect(custom.sub == "cu_fixture1")
        #expect(custom.scopes == ["admin", "read", "write"])
    }

    @Test("the main fixture key set keeps its four usable keys and reports each skipped one")
    func fixtureKeySetDiagnostics() throws {
        let keySet = try TestSupport.fixtureKeySet()
        #expect(keySet.keyIDs == ["ed25519-a", "ed25519-noalg", "es256-a", "es256-b"])
        let skipped = Dictionary(uniqueKeysWithValues: keySet.skippedKeys.map { ($0.keyID ?? "-", $0.reason) })
        #expect(skipped.count == 11)
        #expect(skipped["rsa-1"]?.contains("not supported") == true)
        #expect(skipped["p384-1"]?.contains("P-384") == true)
        #expect(skipped["x25519-1"]?.contains("X25519") == true)
        #expect(skipped["oct-1"]?.contains("symmetric") == true)
        #expect(skipped["es256-short-x"]?.contains("31 bytes") == true)
        #expect(skipped["es256-off-curve"]?.contains("not on P-256") == true)
        #expect(skipped["es256-private"]?.contains("private") == true)
        #expect(skipped["ed25519-identity"]?.contains("small order") == true)
        #expect(skipped["ed25519-enc"]?.contains("use") == true)
        #expect(skipped["es256-keyops-sign"]?.contains("key_ops") == true)
        #expect(skipped["missing-kty"]?.contains("kty") == true)
    }

    @Test("broken fixture key sets are refused as a whole")
    func brokenKeySets() throws {
        for file in ["jwks/unusable.jwks.json", "jwks/empty.jwks.json", "jwks/not-json.jwks.json"] {
            let error = #expect(throws: JWTError.self, "\(file)") { try JWKSet(json: try TestSupport.fixture(file)) }
            #expect(error?.code == .invalidKeySet, "\(file)")
        }
        let duplicate = try JWKSet(json: try TestSupport.fixture("jwks/duplicate-kid.jwks.json"))
        #expect(duplicate.keyIDs == ["ed25519-a"])
        #expect(duplicate.skippedKeys.filter { $0.keyID == "dup" }.count == 2)
    }

    @Test("one verifier shared by many tasks: valid tokens verify and forged ones fail, concurrently")
    func concurrentVerifications() async throws {
        let manifest = try TestSupport.manifest()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = TestSupport.pinnedClock(manifest.now)
        // No token cache: every call runs OpenSSL. OpenSSL contexts are pooled per key, so a context
        // that just refused a forged signature is lent to the next caller, which must still succeed.
        let verifier = try JWTVerifier(
            keys: try TestSupport.fixtureKeySet(),
            configuration: .init(claims: claims, tokenCache: nil)
        )
        let valid = try ["es256-valid", "eddsa-valid", "ed25519-alg-valid"].map { name in
            try #require(manifest.cases.first { $0.name == name }).token
        }
        // The same tokens with the first signature character changed: R changes, S stays reduced,
        // so OpenSSL itself refuses each one.
        let forged = valid.map { token -> String in
            let dot = token.lastIndex(of: ".")!
            let first = token[token.index(after: dot)]
            return String(token[...dot]) + (first == "A" ? "B" : "A") + String(token[token.index(dot, offsetBy: 2)...])
        }
        let tokens: [String] = zip(valid, forged).flatMap { [$0.0, $0.1] }
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<600 {
                let token = tokens[index % tokens.count]
                group.addTask { await TestSupport.outcome(verifier, token) }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["valid": 300, "invalid_signature": 300])
    }
}
