import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Algorithm attacks: `alg: none`, HMAC keyed with the public key, a header algorithm the key
/// does not have, and the absence of any HMAC path.
///
/// Rows 1, 2, 3 and 25 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
    // MARK: Row 1

    @Test("row 1: alg none and its case variants are refused")
    func row01AlgNone() async throws {
        let verifier = try Kit.verifier()
        let es256Only = try Kit.verifier { $0.algorithms = [.es256] }
        for alg in ["none", "None", "NONE", "nOnE", "NoNe"] {
            #expect(JWTAlgorithm(name: alg) == nil, "\(alg) must not be representable")
            for header in [
                #"{"alg":"\#(alg)","kid":"es256-a"}"#, #"{"alg":"\#(alg)"}"#, #"{"typ":"JWT","alg":"\#(alg)"}"#,
            ] {
                for signature in [[UInt8](repeating: 0, count: 64), [0], Kit.filler] {
                    let token = Kit.forge(header: header, signature: signature)
                    await TestSupport.expect(
                        token,
                        verifier,
                        .unsupportedAlgorithm,
                        "\(header), \(signature.count)-byte signature"
                    )
                    await TestSupport.expect(token, es256Only, .unsupportedAlgorithm, "\(header) with an ES256-only allow-list")
                }
                // The unsecured JWS form (RFC 7515 §6): an empty signature segment is a parse error.
                let unsecured = Kit.forge(header: header, signature: [0])
                await TestSupport.expect(
                    String(unsecured.dropLast(2)),
                    verifier,
                    .malformed,
                    "\(header) with an empty signature"
                )
            }
        }
        for name in ["alg-none", "alg-None-case"] {
            await TestSupport.expect(try Kit.token(name), verifier, .unsupportedAlgorithm, "fixture \(name)")
        }
        // RFC 7515 A.5 (unsecured JWS, empty signature) and Wycheproof JWS tcId 16.
        let rfc = try Kit.vectorObject("vectors/rfc/rfc7515_appendix_a.json")
        let a5 = try #require((rfc["a5_unsecured_none"] as? [String: Any])?["compact"] as? String)
        await TestSupport.expect(a5, verifier, .malformed, "RFC 7515 A.5")
        await TestSupport.expect(a5 + "AAAA", verifier, .unsupportedAlgorithm, "RFC 7515 A.5 with a signature appended")
        await TestSupport.expect(try Kit.wycheproofJWS(16).jws, verifier, .malformed, "Wycheproof tcId 16")
        #expect(JWTAlgorithm.allSupported.map(\.name) == ["ES256", "EdDSA", "Ed25519"])
    }

    // MARK: Row 2

    @Test("row 2: algorithm confusion (HS256 keyed with the issuer's public key) is refused")
    func row02AlgorithmConfusion() async throws {
        let verifier = try Kit.verifier()
        // Genuine HMACs keyed with es256-a's JWK text and with its 65-byte point.
        for name in ["alg-hs256-confusion", "alg-hs256-point"] {
            await TestSupport.expect(try Kit.token(name), verifier, .unsupportedAlgorithm, "fixture \(name)")
        }
        // Wycheproof tcId 31: HS256 keyed with the EC verification key's bytes, against a verifier that
        // holds that very EC key under the token's kid. tcId 18 (the genuine ES256 token of the same
        // group, payload "foo") proves the key is usable: it gets past the signature and fails only on
        // its non-JSON payload.
        let (confusion, publicKey) = try Kit.wycheproofJWS(31)
        let wycheproof = try Kit.verifier(keys: try Kit.keySet([try #require(publicKey)]), clock: 0) {
            $0.claims = Kit.policy(clock: 0, issuer: nil, audience: nil)
        }
        await TestSupport.expect(confusion, wycheproof, .unsupportedAlgorithm, "Wycheproof tcId 31")
        await TestSupport.expect(try Kit.wycheproofJWS(18).jws, wycheproof, .malformed, "Wycheproof tcId 18 (control)")

        // Keys are typed: a P-256 key runs ES256 only, an Ed25519 key EdDSA/Ed25519 only.
        let keys = try TestSupport.fixtureKeySet()
        let ec = try keys.key(for: "es256-b", algorithm: .es256)
        #expect(ec.permits(.es256))
        #expect(!ec.permits(.edDSA))
        #expect(!ec.permits(.ed25519))
        let okp = try keys.key(for: "ed25519-noalg", algorithm: .edDSA)
        #expect(okp.permits(.edDSA))
        #expect(okp.permits(.ed25519))
        #expect(!okp.permits(.es256))
        // The same confusion with the other HMAC sizes and an EdDSA key's kid.
        for alg in ["HS256", "HS384", "HS512"] {
            for kid in ["es256-a", "ed25519-a"] {
                let token = Kit.forge(
                    header: #"{"alg":"\#(alg)","kid":"\#(kid)","typ":"JWT"}"#,
                    signature: Array(Kit.filler.prefix(32))
                )
                await TestSupport.expect(token, verifier, .unsupportedAlgorithm, "\(alg) naming \(kid)")
            }
        }
    }

    // MARK: Row 3

    @Test("row 3: key, curve and alg mismatches are refused")
    func row03KeyCurveAlgMismatch() async throws {
        let verifier = try Kit.verifier()
        await TestSupport.expect(try Kit.token("alg-es384"), verifier, .unsupportedAlgorithm, "ES384 with a P-256 kid")
        for name in ["alg-eddsa-with-ec-kid", "alg-es256-with-okp-kid", "alg-ed25519-with-jwk-alg-eddsa"] {
            await TestSupport.expect(try Kit.token(name), verifier, .keyMismatch, "fixture \(name)")
        }
        let cases: [(header: String, expected: JWTError.Code)] = [
            (#"{"alg":"EdDSA","kid":"es256-b"}"#, .keyMismatch),  // EC key without JWK alg
            (#"{"alg":"Ed25519","kid":"es256-a"}"#, .keyMismatch),
            (#"{"alg":"ES256","kid":"ed25519-a"}"#, .keyMismatch),
            (#"{"alg":"ES256","kid":"ed25519-noalg"}"#, .keyMismatch),
            (#"{"alg":"EdDSA","kid":"ed25519-a"}"#, .invalidSignature),  // control: the pair fits
            (#"{"alg":"ES256","kid":"p384-1"}"#, .unknownKey),  // P-384 key skipped at import
            (#"{"alg":"EdDSA","kid":"x25519-1"}"#, .unknownKey),  // X25519 key skipped at import
            (#"{"alg":"ES384","kid":"p384-1"}"#, .unsupportedAlgorithm),
            (#"{"alg":"ES512","kid":"es256-a"}"#, .unsupportedAlgorithm),
            (#"{"alg":"ES256K","kid":"es256-a"}"#, .unsupportedAlgorithm),
            (#"{"alg":"Ed448","kid":"ed25519-a"}"#, .unsupportedAlgorithm),
        ]
        for (header, expected) in cases {
            await TestSupport.expect(Kit.forge(header: header), verifier, expected, "\(header)")
        }
        // The caller's allow-list is enforced before any key is selected.
        let es256Only = try Kit.verifier { $0.algorithms = [.es256] }
        await TestSupport.expect(try Kit.token("eddsa-valid"), es256Only, .algorithmNotAllowed)
        await TestSupport.expect(try Kit.token("ed25519-alg-valid"), es256Only, .algorithmNotAllowed)
        let eddsaOnly = try Kit.verifier { $0.algorithms = [.edDSA] }
        await TestSupport.expect(try Kit.token("es256-valid"), eddsaOnly, .algorithmNotAllowed)
        await TestSupport.expect(try Kit.token("ed25519-alg-valid"), eddsaOnly, .algorithmNotAllowed)
        await TestSupport.expect(try Kit.token("eddsa-valid"), eddsaOnly, nil)

        // At import: a JWK alg must fit the key type, and only P-256 / Ed25519 curves are usable.
        let ec = try Kit.jwk("es256-a")
        let okp = try Kit.jwk("ed25519-a")
        let badKeys: [(String, [String: Any])] = [
            ("EC key with alg EdDSA", ec.merging(["alg": "EdDSA"]) { $1 }),
            ("EC key with alg ES384", ec.merging(["alg": "ES384"]) { $1 }),
            ("EC key with crv P-384", ec.merging(["crv": "P-384"]) { $1 }),
            ("EC key with crv secp256k1", ec.merging(["crv": "secp256k1"]) { $1 }),
            ("OKP key with alg ES256", okp.merging(["alg": "ES256"]) { $1 }),
            ("OKP key with crv X25519", okp.merging(["crv": "X25519"]) { $1 }),
            ("OKP key with crv Ed448", okp.merging(["crv": "Ed448"]) { $1 }),
            ("OKP key material under kty EC", okp.merging(["kty": "EC", "crv": "P-256"]) { $1 }),
        ]
        for (label, jwk) in badKeys {
            let error = #expect(throws: JWTError.self, "\(label)") { try JWTVerificationKey(jwk: try Kit.json(jwk)) }
            #expect(error?.code == .invalidKeySet, "\(label)")
        }
        // Wycheproof JWK groups wrong_algorithm (ES521), invalid_algorithm (ES224), wrong_curve
        // (P-384 label on P-256 coordinates), wrong_kty: a set holding only that key is unusable.
        for tcId in [19, 20, 23, 24] {
            let set = try Kit.wycheproofKeySet(tcId)
            let error = #expect(throws: JWTError.self, "Wycheproof JWK tcId \(tcId)") {
                try JWKSet(json: try Kit.json(set))
            }
            #expect(error?.code == .invalidKeySet, "Wycheproof JWK tcId \(tcId)")
        }
    }

    // MARK: Row 25

    @Test("row 25: there is no HMAC path: HS256, HS384 and HS512 are unsupported with any key")
    func row25NoHMAC() async throws {
        let verifiers = [
            try Kit.verifier(), try Kit.verifier { $0.algorithms = [.es256] },
            try Kit.verifier { $0.requiresKeyID = false },
        ]
        for alg in ["HS256", "HS384", "HS512"] {
            #expect(JWTAlgorithm(name: alg) == nil)
            for kid in ["es256-a", "es256-b", "ed25519-a", "ed25519-noalg", "oct-1", "rsa-1", "nope", nil] {
                let header =
                    kid.map { #"{"alg":"\#(alg)","kid":"\#($0)","typ":"JWT"}"# } ?? #"{"alg":"\#(alg)","typ":"JWT"}"#
                for length in [32, 48, 64] {
                    let token = Kit.forge(header: header, signature: Array(Kit.filler.prefix(length)))
                    for verifier in verifiers {
                        await TestSupport.expect(token, verifier, .unsupportedAlgorithm, "\(header), \(length)-byte MAC")
                    }
                }
            }
        }
        // Genuine HMACs: RFC 7515 A.1, RFC 7797 §4.1, Wycheproof JWK tcIds 13–15 (HS256/384/512).
        let rfc7515 = try Kit.vectorObject("vectors/rfc/rfc7515_appendix_a.json")
        let a1 = try #require((rfc7515["a1_hs256"] as? [String: Any])?["compact"] as? String)
        await TestSupport.expect(a1, verifiers[0], .unsupportedAlgorithm, "RFC 7515 A.1")
        let rfc7797 = try Kit.vectorObject("vectors/rfc/rfc7797_unencoded_payload.json")
        let plain = try #require((rfc7797["section_4_1_b64_true"] as? [String: Any])?["compact"] as? String)
        await TestSupport.expect(plain, verifiers[0], .unsupportedAlgorithm, "RFC 7797 §4.1")
        for tcId in [13, 14, 15] {
            await TestSupport.expect(
                try Kit.wycheproofKeyTestJWS(tcId),
                verifiers[0],
                .unsupportedAlgorithm,
                "Wycheproof JWK tcId \(tcId)"
            )
        }
        // Symmetric keys never enter a key set.
        let keys = try TestSupport.fixtureKeySet()
        #expect(keys.skippedKeys.first { $0.keyID == "oct-1" }?.reason.contains("symmetric") == true)
        let error = #expect(throws: JWTError.self) {
            try JWKSet(
                json: Array(
                    #"{"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}]}"#
                        .utf8
                )
            )
        }
        #expect(error?.code == .invalidKeySet)
    }
}
