import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Key selection attacks: `kid` injection, a `kid` that is not honoured, and keys supplied by the
/// token header (`jwk`, `jku`, `x5u`, `x5c`).
///
/// Rows 11, 12 and 13 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
    // MARK: Row 11

    @Test("row 11: kid injection strings are opaque, unknown key ids")
    func row11KidInjection() async throws {
        let verifier = try Kit.verifier()
        let hostile = [
            "../../dev/null", "/dev/null", "../es256-a", "es256-a/../es256-a", "x' UNION SELECT 'secret' --",
            "es256-a' OR '1'='1", "file:///etc/passwd", "https://evil.example/jwks.json", "%s%s%s%n",
            "${jndi:ldap://x}",
            "es256-a ", " es256-a", "es256-a\\u0000", "es256-a\\n", "", String(repeating: "k", count: 10_000),
        ]
        for kid in hostile {
            let token = Kit.forge(header: #"{"alg":"ES256","kid":"\#(kid)"}"#)
            let error = await TestSupport.refusal(token, verifier)
            #expect(error?.code == .unknownKey, "kid \(kid.prefix(40))")
            #expect(
                error?.message.contains(kid.isEmpty ? "\u{0}" : String(kid.prefix(8))) == false,
                "the kid is not echoed"
            )
        }
        await TestSupport.expect(try Kit.token("kid-path-traversal"), verifier, .unknownKey)
        // kid must be a JSON string.
        for kid in ["5", "null", "true", #"["es256-a"]"#, #"{"kid":"es256-a"}"#] {
            await TestSupport.expect(Kit.forge(header: #"{"alg":"ES256","kid":\#(kid)}"#), verifier, .malformed, "kid \(kid)")
        }
        await TestSupport.expect(try Kit.token("header-kid-number"), verifier, .malformed)
    }

    // MARK: Row 12

    @Test("row 12: a token is verified only with the key its kid names, never the first or any key")
    func row12KidHonoured() async throws {
        let kidless = try Kit.token("kid-missing")  // signed by es256-a, no kid
        await TestSupport.expect(kidless, try Kit.verifier(), .unknownKey, "kid required by default")
        // Without a required kid, two ES256 candidates → refused rather than picking one.
        let lenient = try Kit.verifier { $0.requiresKeyID = false }
        await TestSupport.expect(kidless, lenient, .unknownKey, "two ES256 keys in the set")
        // Exactly one candidate: only that key is tried.
        let onlySigner = try Kit.verifier(keys: try Kit.keySet([try Kit.jwk("es256-a"), try Kit.jwk("ed25519-a")])) {
            $0.requiresKeyID = false
        }
        await TestSupport.expect(kidless, onlySigner, nil, "the single ES256 key is the signer")
        let onlyOther = try Kit.verifier(keys: try Kit.keySet([try Kit.jwk("es256-b"), try Kit.jwk("ed25519-a")])) {
            $0.requiresKeyID = false
        }
        await TestSupport.expect(kidless, onlyOther, .invalidSignature, "the single ES256 key is not the signer")
        // With that same single candidate, the default (kid required) still refuses the kid-less token.
        let strictSingle = try Kit.verifier(keys: try Kit.keySet([try Kit.jwk("es256-a"), try Kit.jwk("ed25519-a")]))
        await TestSupport.expect(kidless, strictSingle, .unknownKey, "kid required even when only one key could fit")

        // kid "es256-a" names es256-b's material; es256-a's material sits under another kid. The
        // verifier must not "try all keys" and find the one that works.
        let swapped = try Kit.keySet([
            try Kit.jwk("es256-b").merging(["kid": "es256-a"]) { $1 },
            try Kit.jwk("es256-a").merging(["kid": "spare"]) { $1 },
        ])
        let swappedVerifier = try Kit.verifier(keys: swapped)
        await TestSupport.expect(
            try Kit.token("es256-valid"),
            swappedVerifier,
            .invalidSignature,
            "signer present under another kid"
        )
        let crossed = try Kit.keySet([
            try Kit.jwk("es256-b").merging(["kid": "es256-a"]) { $1 },
            try Kit.jwk("es256-a").merging(["kid": "es256-b"]) { $1 },
        ])
        let crossedVerifier = try Kit.verifier(keys: crossed)
        await TestSupport.expect(try Kit.token("es256-valid"), crossedVerifier, .invalidSignature, "kids crossed: es256-a")
        await TestSupport.expect(
            try Kit.token("es256-valid-keyops"),
            crossedVerifier,
            .invalidSignature,
            "kids crossed: es256-b"
        )
        await TestSupport.expect(try Kit.token("kid-unknown"), try Kit.verifier(), .unknownKey, "validly signed, unknown kid")
        // A kid-carrying token never falls back to kid-less keys.
        let noKids = try Kit.keySet([try Kit.jwk("es256-a").filter { $0.key != "kid" }])
        await TestSupport.expect(try Kit.token("es256-valid"), try Kit.verifier(keys: noKids), .unknownKey)
    }

    // MARK: Row 13

    @Test("row 13: embedded jwk, jku, x5u and x5c never supply or select keys")
    func row13HeaderKeyInjection() async throws {
        let verifier = try Kit.verifier()
        for name in ["embedded-jwk-attacker", "jku-attacker"] {
            await TestSupport.expect(try Kit.token(name), verifier, .invalidSignature, "fixture \(name)")
        }
        let embedded = String(decoding: try Kit.json(try Kit.jwk("es256-a")), as: UTF8.self)
        let headers = [
            #"{"alg":"ES256","kid":"attacker","jwk":\#(embedded)}"#,
            #"{"alg":"ES256","jwk":\#(embedded)}"#,
            #"{"alg":"ES256","kid":"nope","jku":"https://evil.example/jwks.json"}"#,
            #"{"alg":"ES256","kid":"nope","x5u":"https://evil.example/cert.pem"}"#,
            #"{"alg":"ES256","kid":"nope","x5c":["MIIBszCCAVmgAwIBAgIJAK"]}"#,
            #"{"alg":"ES256","kid":"nope","x5t#S256":"AAAA"}"#,
        ]
        for header in headers {
            await TestSupport.expect(Kit.forge(header: header), verifier, .unknownKey, "\(header.prefix(60))")
        }
        // Wycheproof tcId 32: signed by the attacker's key, which the header embeds; the verifier holds
        // the genuine key under the same kid (tcId 18 is the control that it works).
        let wycheproof = try Kit.verifier(
            keys: try Kit.keySet([try #require(try Kit.wycheproofJWS(18).publicKey)]),
            clock: 0
        ) {
            $0.claims = Kit.policy(clock: 0, issuer: nil, audience: nil)
        }
        await TestSupport.expect(try Kit.wycheproofJWS(32).jws, wycheproof, .invalidSignature, "Wycheproof tcId 32")
        await TestSupport.expect(try Kit.wycheproofJWS(18).jws, wycheproof, .malformed, "Wycheproof tcId 18 (control)")
    }
}
