import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

// One test per row of the attack catalogue (`shared/ATTACKS.md`) that the verifier layer owns.
//
// Not here, covered elsewhere: row 14 (SSRF via key URLs) and row 24 (JWKS refetch storms) belong
// to the remote JWKS cache and are tested with it (`RemoteJWKSTests.swift`: "only https, or http to
// loopback, is accepted; no credentials in the URL", "redirects are not followed", "10,000 random
// kids within one cooldown cause at most one fetch, then fail at once", "1,000 concurrent verifies
// with the same unknown kid share exactly one fetch"). This layer never fetches anything: row 13
// shows that `jku`/`x5u` in a token are ignored.
//
// Tokens that need a valid signature are fixture tokens from `Fixtures/tokens/manifest.json`
// (made by the independent Python generator), used as they are or mutated. Tokens whose defect is
// found before the signature is checked are crafted here with `Base64URL.encode`.

@Suite("Attack catalogue rows owned by the verifier")
struct AttackTests {
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

    // MARK: Row 4

    @Test("row 4: the psychic signature r = s = 0 is refused before any curve arithmetic")
    func row04PsychicSignature() async throws {
        let verifier = try Kit.verifier()
        let token = try Kit.token("es256-valid")
        await TestSupport.expect(token, verifier, nil, "control: the untouched token is valid")
        let (r, s) = try Kit.halves(Kit.signature(of: token))
        let zero = [UInt8](repeating: 0, count: 32)
        for (label, signature) in [("r = s = 0", zero + zero), ("r = 0", zero + s), ("s = 0", r + zero)] {
            let error = await TestSupport.refusal(Kit.replacingSignature(of: token, with: signature), verifier)
            #expect(error?.code == .invalidSignature, "\(label)")
            #expect(
                error?.message.contains("outside") == true,
                "\(label) must fail the range check: \(error?.message ?? "accepted")"
            )
        }
        await TestSupport.expect(try Kit.token("es256-r-zero-s-zero"), verifier, .invalidSignature)
        // The 64-zero-byte signature under every usable key and algorithm.
        for header in [
            #"{"alg":"ES256","kid":"es256-b"}"#, #"{"alg":"EdDSA","kid":"ed25519-a"}"#,
            #"{"alg":"Ed25519","kid":"ed25519-noalg"}"#,
        ] {
            await TestSupport.expect(
                Kit.forge(header: header, signature: zero + zero),
                verifier,
                .invalidSignature,
                "\(header)"
            )
        }
    }

    // MARK: Row 5

    @Test("row 5: ES256 r or s at or above n is refused, never reduced mod n")
    func row05ScalarRange() async throws {
        let verifier = try Kit.verifier()
        let token = try Kit.token("es256-valid")
        let (r, s) = try Kit.halves(Kit.signature(of: token))
        let n = Kit.p256Order
        let nPlusOne = ByteMath.addBigEndian(n, ByteMath.integer(1))
        let max = [UInt8](repeating: 0xFF, count: 32)
        let cases: [(String, [UInt8])] = [
            ("r = n", n + s), ("s = n", r + n), ("r = n + 1 (≡ 1)", nPlusOne + s), ("s = n + 1", r + nPlusOne),
            ("r = 2^256 − 1", max + s), ("s = 2^256 − 1", r + max),
            ("(1, n) as in browserify-sign", ByteMath.integer(1) + n),
            ("r = s = n", n + n),
        ]
        for (label, signature) in cases {
            let error = await TestSupport.refusal(Kit.replacingSignature(of: token, with: signature), verifier)
            #expect(error?.code == .invalidSignature, "\(label)")
            #expect(
                error?.message.contains("outside") == true,
                "\(label) must fail the range check: \(error?.message ?? "accepted")"
            )
        }
        for name in ["es256-r-n", "es256-s-n-plus-0"] {
            await TestSupport.expect(try Kit.token(name), verifier, .invalidSignature, "fixture \(name)")
        }
    }

    // MARK: Row 6

    @Test("row 6: DER-encoded and wrong-length ES256 signatures are refused")
    func row06DERAndLength() async throws {
        let verifier = try Kit.verifier()
        let token = try Kit.token("es256-valid")
        let signature = try Kit.signature(of: token)
        let (r, s) = Kit.halves(signature)
        let der = Kit.der(r: r, s: s)
        let cases: [(String, [UInt8])] = [
            ("DER ECDSA-Sig-Value of the genuine r, s", der),
            ("leading zero byte (65 bytes)", [0] + signature),
            ("trailing zero byte (65 bytes)", signature + [0]),
            ("last byte dropped (63 bytes)", Array(signature.dropLast())),
            ("each half with a leading zero (66 bytes)", [0] + r + [0] + s),
            (
                "each half zero-padded to 64 bytes (128 bytes)",
                [UInt8](repeating: 0, count: 32) + r + [UInt8](repeating: 0, count: 32) + s
            ),
            ("r alone (32 bytes)", r),
        ]
        for (label, bytes) in cases {
            let error = await TestSupport.refusal(Kit.replacingSignature(of: token, with: bytes), verifier)
            #expect(error?.code == .invalidSignature, "\(label)")
            #expect(error?.message.contains("must be 64 bytes") == true, "\(label): \(error?.message ?? "accepted")")
        }
        for name in ["es256-der-sig", "es256-65-bytes", "es256-63-bytes"] {
            await TestSupport.expect(try Kit.token(name), verifier, .invalidSignature, "fixture \(name)")
        }
        // Wycheproof SpecialCaseEs256 tcId 379 (over-long signature with leading zeros, accepted by
        // Nimbus and jose4j) and 385, against the Wycheproof key.
        let wycheproof = try Kit.verifier(
            keys: try Kit.keySet([try #require(try Kit.wycheproofJWS(18).publicKey)]),
            clock: 0
        ) {
            $0.claims = Kit.policy(clock: 0, issuer: nil, audience: nil)
        }
        for tcId in [379, 385] {
            await TestSupport.expect(try Kit.wycheproofJWS(tcId).jws, wycheproof, .invalidSignature, "Wycheproof tcId \(tcId)")
        }
    }

    // MARK: Row 7

    @Test("row 7: high-S ES256 signatures are accepted and token bytes are not an identity")
    func row07HighS() async throws {
        let verifier = try Kit.verifier()
        let original = try Kit.token("es256-valid")
        let (r, s) = try Kit.halves(Kit.signature(of: original))
        let malleated = Kit.replacingSignature(of: original, with: r + ByteMath.subtractBigEndian(Kit.p256Order, s))
        #expect(malleated != original)
        // (r, n − s) is a second valid signature over the same claims (RFC 7518 has no low-S rule).
        let first = try await verifier.verify(original)
        let second = try await verifier.verify(malleated)
        #expect(first.claims == second.claims)
        #expect(first.payload == second.payload)
        #expect(first.claims.id == "es256-valid", "replay protection must key on (iss, jti), which both share")
        await TestSupport.expect(try Kit.token("es256-high-s"), verifier, nil, "fixture es256-high-s")

        // RFC 7515 A.3's own signature is high-S; it verifies as a JWT with the clock before its exp.
        let a3 = try #require(try Kit.vectorObject("vectors/rfc/rfc7515_appendix_a.json")["a3_es256"] as? [String: Any])
        let a3Token = try #require(a3["compact"] as? String)
        let a3Key = try #require(a3["jwk_public"] as? [String: Any])
        let a3S = Array(try Kit.signature(of: a3Token)[32...])
        let halfN = Kit.shiftRightOne(Kit.p256Order)
        #expect(a3S.lexicographicallyPrecedes(halfN) == false, "A.3's s is high")
        let rfcVerifier = try Kit.verifier(keys: try Kit.keySet([a3Key])) {
            $0.requiresKeyID = false
            $0.claims = Kit.policy(clock: 1_300_819_380 - 1, issuer: nil, audience: nil)
        }
        await TestSupport.expect(a3Token, rfcVerifier, nil, "RFC 7515 A.3")
        let (a3R, _) = try Kit.halves(Kit.signature(of: a3Token))
        await TestSupport.expect(
            Kit.replacingSignature(of: a3Token, with: a3R + ByteMath.subtractBigEndian(Kit.p256Order, a3S)),
            rfcVerifier,
            nil,
            "A.3 low-S twin"
        )
    }

    // MARK: Row 8

    @Test("row 8: Ed25519 S ≥ L and wrong signature lengths are refused")
    func row08Ed25519Malleability() async throws {
        let verifier = try Kit.verifier()
        for name in ["eddsa-valid", "ed25519-alg-valid"] {
            let token = try Kit.token(name)
            await TestSupport.expect(token, verifier, nil, "control: \(name)")
            let signature = try Kit.signature(of: token)
            let (rPart, sPart) = Kit.halves(signature)
            let order = Kit.ed25519OrderLittleEndian
            var topBit = sPart
            topBit[31] |= 0x80
            let notReduced: [(String, [UInt8])] = [
                ("S + L", ByteMath.addLittleEndian(sPart, order)),
                ("S = L", order),
                ("S = L + 1", ByteMath.addLittleEndian(order, [1] + [UInt8](repeating: 0, count: 31))),
                ("S with its top bit set", topBit),
                ("S = 2^256 − 1", [UInt8](repeating: 0xFF, count: 32)),
            ]
            for (label, s) in notReduced {
                let error = await TestSupport.refusal(Kit.replacingSignature(of: token, with: rPart + s), verifier)
                #expect(error?.code == .invalidSignature, "\(name): \(label)")
                #expect(error?.message.contains("S ≥ L") == true, "\(name): \(label): \(error?.message ?? "accepted")")
            }
            let lengths: [(String, [UInt8])] = [
                ("63 bytes", Array(signature.dropLast())), ("65 bytes", signature + [0]),
                ("leading zero", [0] + signature),
                ("128 bytes", signature + signature), ("32 bytes", rPart),
            ]
            for (label, bytes) in lengths {
                let error = await TestSupport.refusal(Kit.replacingSignature(of: token, with: bytes), verifier)
                #expect(error?.code == .invalidSignature, "\(name): \(label)")
                #expect(
                    error?.message.contains("must be 64 bytes") == true,
                    "\(name): \(label): \(error?.message ?? "accepted")"
                )
            }
        }
        for name in ["eddsa-s-not-reduced", "eddsa-63-bytes"] {
            await TestSupport.expect(try Kit.token(name), verifier, .invalidSignature, "fixture \(name)")
        }
    }

    // MARK: Row 9

    @Test("row 9: small-order and non-canonical Ed25519 keys are refused at import")
    func row09Ed25519WeakKeys() async throws {
        // The eight small-order points (canonical encodings) and non-canonical or undecodable aliases,
        // written out here independently of the library's own table.
        let weak = [
            "0100000000000000000000000000000000000000000000000000000000000000",  // identity
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
            "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
            "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
            "0100000000000000000000000000000000000000000000000000000000000080",  // identity, sign bit set
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // order 2, sign bit set
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p (alias of y = 0)
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y = p, sign bit set
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1 (alias of the identity)
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y = p + 1, sign bit set
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = 2^255 − 1 ≥ p
        ]
        for hex in weak {
            let jwk: [String: Any] = [
                "kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(TestSupport.bytes(hex: hex)),
            ]
            let error = #expect(throws: JWTError.self, "\(hex)") { try JWTVerificationKey(jwk: try Kit.json(jwk)) }
            #expect(error?.code == .invalidKeySet, "\(hex)")
        }
        // The universal forgery under the identity key (R = identity, S = 0) verifies in OpenSSL 3.0;
        // the key never makes it into the set, so the token names an unknown key.
        let identity: [String: Any] = [
            "kty": "OKP", "crv": "Ed25519", "kid": "identity", "x": Base64URL.encode(TestSupport.bytes(hex: weak[0])),
        ]
        let keys = try Kit.keySet([identity, try Kit.jwk("ed25519-a")])
        #expect(keys.keyIDs == ["ed25519-a"])
        #expect(keys.skippedKeys.first { $0.keyID == "identity" }?.reason.contains("small order") == true)
        let forgery = Kit.forge(
            header: #"{"alg":"EdDSA","kid":"identity"}"#,
            signature: TestSupport.bytes(hex: weak[0]) + [UInt8](repeating: 0, count: 32)
        )
        await TestSupport.expect(forgery, try Kit.verifier(keys: keys), .unknownKey)
        await TestSupport.expect(try Kit.token("kid-identity-key"), try Kit.verifier(), .unknownKey)

        // ed25519-speccheck public keys: reference import refuses cases 0, 1 (small order), 10 and 11
        // (undecodable) and accepts the others (see Fixtures/vectors/README.md).
        let speccheck = try #require(
            try TestSupport.fixtureJSON("vectors/ed25519-speccheck/cases.json") as? [[String: Any]]
        )
        #expect(speccheck.count == 12)
        for (index, testCase) in speccheck.enumerated() {
            let key = TestSupport.bytes(hex: try #require(testCase["pub_key"] as? String))
            let jwk: [String: Any] = ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(key)]
            let accepted = (try? JWTVerificationKey(jwk: try Kit.json(jwk))) != nil
            #expect(accepted == !([0, 1, 10, 11].contains(index)), "speccheck case \(index)")
        }
    }

    // MARK: Row 10

    @Test("row 10: invalid EC points and malformed coordinates are refused at import")
    func row10InvalidCurvePoints() async throws {
        let base = try Kit.jwk("es256-a")
        let x = try #require(base["x"] as? String)
        let y = try #require(base["y"] as? String)
        let xBytes = try Base64URL.decode(Array(x.utf8))
        var yFlipped = try Base64URL.decode(Array(y.utf8))
        yFlipped[31] ^= 0x01
        let prime = TestSupport.bytes(hex: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
        let zero = Base64URL.encode([UInt8](repeating: 0, count: 32))
        let bad: [(String, [String: Any])] = [
            ("point off the curve", base.merging(["y": Base64URL.encode(yFlipped)]) { $1 }),
            ("x = p", base.merging(["x": Base64URL.encode(prime)]) { $1 }),
            ("(0, 0)", base.merging(["x": zero, "y": zero]) { $1 }),
            ("31-byte x", base.merging(["x": Base64URL.encode(xBytes.dropFirst())]) { $1 }),
            ("33-byte x with a leading zero", base.merging(["x": Base64URL.encode([0] + xBytes)]) { $1 }),
            ("padded x", base.merging(["x": x + "="]) { $1 }),
            ("standard-alphabet x", base.merging(["x": x.replacingOccurrences(of: "_", with: "/")]) { $1 }),
            ("missing y", base.filter { $0.key != "y" }),
            ("numeric y", base.merging(["y": 1]) { $1 }),
            ("crv p-256 (case)", base.merging(["crv": "p-256"]) { $1 }),
        ]
        #expect(x.contains("_"), "the standard-alphabet case needs a '_' in x")
        for (label, jwk) in bad {
            let error = #expect(throws: JWTError.self, "\(label)") { try JWTVerificationKey(jwk: try Kit.json(jwk)) }
            #expect(error?.code == .invalidKeySet, "\(label)")
        }
        #expect(throws: Never.self, "control: the untouched key imports") {
            try JWTVerificationKey(jwk: try Kit.json(base))
        }
        // In a set they are skipped; tokens naming such keys get unknown_key.
        let verifier = try Kit.verifier()
        for kid in ["es256-short-x", "es256-off-curve"] {
            await TestSupport.expect(Kit.forge(header: #"{"alg":"ES256","kid":"\#(kid)"}"#), verifier, .unknownKey, "\(kid)")
        }
        // Wycheproof JWK invalid_point (tcId 22).
        let error = #expect(throws: JWTError.self) { try JWKSet(json: try Kit.json(try Kit.wycheproofKeySet(22))) }
        #expect(error?.code == .invalidKeySet)
    }

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

    // MARK: Row 15

    @Test("row 15: any crit header is refused, whatever its value")
    func row15Crit() async throws {
        let verifier = try Kit.verifier()
        for crit in [
            #"["exp"]"#, "[]", #""b64""#, #"["kid"]"#, #"["alg"]"#, #"["x-simbee"]"#, "null", "{}", "1", "true",
            #"["b64","b64"]"#,
        ] {
            for rest in [
                #""alg":"ES256","kid":"es256-a""#, #""alg":"none""#, #""alg":"ES256","kid":"nope""#, #""alg":"HS256""#,
            ] {
                let token = Kit.forge(header: #"{\#(rest),"crit":\#(crit)}"#)
                await TestSupport.expect(token, verifier, .unsupportedCriticalHeader, "crit \(crit) with \(rest)")
            }
        }
        // Member names are compared after unescaping.
        await TestSupport.expect(
            Kit.forge(header: #"{"alg":"ES256","kid":"es256-a","\u0063rit":["exp"]}"#),
            verifier,
            .unsupportedCriticalHeader
        )
        for name in ["crit-exp", "crit-empty", "crit-string"] {
            await TestSupport.expect(try Kit.token(name), verifier, .unsupportedCriticalHeader, "fixture \(name)")
        }
    }

    // MARK: Row 16

    @Test("row 16: b64 (RFC 7797 unencoded payload) is refused in any form")
    func row16UnencodedPayload() async throws {
        let verifier = try Kit.verifier()
        for b64 in ["false", "true", #""false""#, "null", "0"] {
            for crit in ["", #","crit":["b64"]"#] {
                let token = Kit.forge(header: #"{"alg":"ES256","kid":"es256-a","b64":\#(b64)\#(crit)}"#)
                await TestSupport.expect(token, verifier, .unsupportedCriticalHeader, "b64 \(b64)\(crit)")
            }
        }
        for name in ["b64-false", "b64-false-no-crit"] {
            await TestSupport.expect(try Kit.token(name), verifier, .unsupportedCriticalHeader, "fixture \(name)")
        }
        // RFC 7797 §4.2: the detached form has an empty payload segment; the literal "$.02" payload
        // adds a fourth segment. Both are not compact JWS.
        let rfc = try Kit.vectorObject("vectors/rfc/rfc7797_unencoded_payload.json")
        let section = try #require(rfc["section_4_2_b64_false"] as? [String: Any])
        let detached = try #require(section["compact_detached"] as? String)
        await TestSupport.expect(detached, verifier, .malformed, "RFC 7797 detached")
        let parts = Kit.segments(detached)
        await TestSupport.expect(parts[0] + ".$.02." + parts[2], verifier, .malformed, "RFC 7797 literal payload")
        // A detached ES256 token built from a valid one.
        let valid = Kit.segments(try Kit.token("es256-valid"))
        await TestSupport.expect(valid[0] + ".." + valid[2], verifier, .malformed)
    }

    // MARK: Row 17

    @Test("row 17: duplicate member names are refused in header, claims and JWKs")
    func row17DuplicateMembers() async throws {
        let verifier = try Kit.verifier()
        let headers = [
            #"{"alg":"ES256","alg":"none","kid":"es256-a"}"#,
            #"{"alg":"none","alg":"ES256","kid":"es256-a"}"#,
            #"{"alg":"ES256","kid":"es256-a","kid":"es256-b"}"#,
            #"{"alg":"ES256","\u0061lg":"ES256","kid":"es256-a"}"#,
            #"{"alg":"ES256","kid":"es256-a","x":{"a":1,"a":2}}"#,
            #"{"alg":"ES256","kid":"es256-a","x":[{"b":1,"\u0062":1}]}"#,
        ]
        for header in headers {
            await TestSupport.expect(Kit.forge(header: header), verifier, .malformed, "\(header)")
        }
        for name in ["header-duplicate-alg", "es256-payload-duplicate-exp"] {
            await TestSupport.expect(try Kit.token(name), verifier, .malformed, "fixture \(name)")
        }
        // Claims are read by the same strict reader with the same limits, at every depth.
        for payload in [
            Kit.payload([("cnf", #"{"jkt":"a","jkt":"b"}"#)]),
            Kit.payload([("scopes", #"[{"r":1,"r":2}]"#)]),
            String(Kit.payload().dropLast()) + #","exp":1}"#,
        ] {
            #expect(throws: StrictJSONReader.Failure.self, "\(payload)") {
                try StrictJSONReader.read(Array(payload.utf8), limits: JOSEHeader.jsonLimits)
            }
        }
        // JWKs: a duplicate member makes the whole document unusable (not first- or last-wins).
        let ec = try Kit.jwk("es256-a")
        let x = try #require(ec["x"] as? String)
        let y = try #require(ec["y"] as? String)
        let duplicateX = #"{"kty":"EC","crv":"P-256","kid":"es256-a","x":"\#(x)","x":"\#(x)","y":"\#(y)"}"#
        let setError = #expect(throws: JWTError.self) { try JWKSet(json: Array(#"{"keys":[\#(duplicateX)]}"#.utf8)) }
        #expect(setError?.code == .invalidKeySet)
        let duplicateKty = #"{"kty":"OKP","kty":"EC","crv":"P-256","x":"\#(x)","y":"\#(y)"}"#
        let keyError = #expect(throws: JWTError.self) { try JWTVerificationKey(jwk: Array(duplicateKty.utf8)) }
        #expect(keyError?.code == .invalidKeySet)
        #expect(throws: Never.self, "control") {
            try JWTVerificationKey(jwk: Array(#"{"kty":"EC","crv":"P-256","x":"\#(x)","y":"\#(y)"}"#.utf8))
        }
    }

    // MARK: Row 18

    @Test("row 18: aud must be a string or a non-empty array of strings, matched exactly")
    func row18Audience() async throws {
        let verifier = try Kit.verifier()
        let fixtures: [(String, JWTError.Code?)] = [
            ("es256-aud-number", .invalidClaim), ("es256-aud-empty-array", .invalidClaim),
            ("es256-aud-mixed", .invalidClaim),
            ("es256-aud-prefix", .audienceMismatch), ("es256-wrong-aud", .audienceMismatch),
            ("es256-no-aud", .missingClaim),
            ("es256-aud-array", nil),
        ]
        for (name, expected) in fixtures {
            await TestSupport.expect(try Kit.token(name), verifier, expected, "fixture \(name)")
        }
        let cases: [(String, JWTError.Code?)] = [
            (#"[["cl_fixture"]]"#, .invalidClaim), (#"{"aud":"cl_fixture"}"#, .invalidClaim), ("true", .invalidClaim),
            ("null", .invalidClaim), ("[]", .invalidClaim), (#"["cl_fixture",null]"#, .invalidClaim),
            ("0", .invalidClaim),
            (#""CL_FIXTURE""#, .audienceMismatch), (#""cl_fixture ""#, .audienceMismatch),
            (#"" cl_fixture""#, .audienceMismatch),
            (#""cl_fixtur""#, .audienceMismatch), (#""cl_fixture2""#, .audienceMismatch),
            (#""cl_fixture,other""#, .audienceMismatch),
            (#""other cl_fixture""#, .audienceMismatch), (#"["other","CL_fixture"]"#, .audienceMismatch),
            (#""""#, .audienceMismatch),
            (#""cl_fixture""#, nil), (#"["other","cl_fixture"]"#, nil), (#""cl_\u0066ixture""#, nil),
        ]
        for (aud, expected) in cases {
            #expect(try Kit.claims(Kit.payload([("aud", aud)])) == expected, "aud \(aud)")
        }
        // A wrong-typed aud is refused even when no audience is configured (never read as "absent").
        for aud in ["42", "[]", #"[["x"]]"#, "null"] {
            #expect(
                try Kit.claims(Kit.payload([("aud", aud)])) { $0.audiences = [] } == .invalidClaim,
                "aud \(aud), no audience configured"
            )
        }
        #expect(try Kit.claims(Kit.payload([("aud", nil)])) == .missingClaim)
    }

    // MARK: Row 19

    @Test("row 19: iss is required and matched exactly; keys of one issuer do not vouch for another")
    func row19Issuer() async throws {
        let verifier = try Kit.verifier()
        await TestSupport.expect(try Kit.token("es256-wrong-iss"), verifier, .issuerMismatch)
        await TestSupport.expect(try Kit.token("es256-no-iss"), verifier, .missingClaim)
        let cases: [(String?, JWTError.Code?)] = [
            (#""https://api.simbee.io/""#, .issuerMismatch), (#""HTTPS://api.simbee.io""#, .issuerMismatch),
            (#""https://api.simbee.io.evil.example""#, .issuerMismatch), (#""https://api.simbee.i""#, .issuerMismatch),
            (#""http://api.simbee.io""#, .issuerMismatch), (#"" https://api.simbee.io""#, .issuerMismatch),
            (#""""#, .issuerMismatch),
            ("42", .invalidClaim), ("null", .invalidClaim), (#"["https://api.simbee.io"]"#, .invalidClaim),
            (nil, .missingClaim),
            (#""https:\/\/api.simbee.io""#, nil),
        ]
        for (iss, expected) in cases {
            #expect(try Kit.claims(Kit.payload([("iss", iss)])) == expected, "iss \(iss ?? "absent")")
        }
        // Byte-exact: canonically equivalent Unicode spellings are different issuers.
        #expect(
            try Kit.claims(Kit.payload([("iss", "\"caf\u{E9}\"")])) { $0.issuer = "cafe\u{301}" } == .issuerMismatch
        )
        #expect(try Kit.claims(Kit.payload([("iss", "\"caf\u{E9}\"")])) { $0.issuer = "caf\u{E9}" } == nil)
        // An empty configured issuer would skip the check: it is a configuration error instead.
        let error = #expect(throws: JWTError.self) { try Kit.verifier { $0.claims.issuer = "" } }
        #expect(error?.code == .invalidConfiguration)
        // The same key set bound to another issuer refuses this issuer's valid token.
        let other = try Kit.verifier { $0.claims.issuer = "https://other.simbee.io" }
        await TestSupport.expect(try Kit.token("es256-valid"), other, .issuerMismatch)
    }

    // MARK: Row 20

    @Test("row 20: exp, nbf and iat must be finite NumericDates in range; invalid is never absent")
    func row20TimeClaims() async throws {
        let verifier = try Kit.verifier()
        let fixtures: [(String, JWTError.Code?)] = [
            ("es256-exp-string", .invalidClaim), ("es256-exp-huge", .invalidClaim),
            ("es256-exp-negative", .invalidClaim),
            ("es256-exp-too-large", .invalidClaim), ("es256-nbf-bool", .invalidClaim),
            ("es256-iat-null", .invalidClaim),
            ("es256-no-exp", .missingClaim), ("es256-expired", .expired), ("eddsa-expired", .expired),
            ("es256-nbf-future", .notYetValid),
            ("es256-fractional-exp", nil), ("es256-exp-exponent", nil),
        ]
        for (name, expected) in fixtures {
            await TestSupport.expect(try Kit.token(name), verifier, expected, "fixture \(name)")
        }
        let invalid = [
            #""1796000840""#, "true", "false", "null", "[]", "{}", "[1796000840]", #"{"t":1796000840}"#, "1e400",
            "-1e400",
            "-1", "-0.5", "253402300800", "253402300799.5", "1e300",
            "100000000000000000000000000000000000000000000000000",
        ]
        for claim in ["exp", "nbf", "iat"] {
            for value in invalid {
                #expect(try Kit.claims(Kit.payload([(claim, value)])) == .invalidClaim, "\(claim) = \(value)")
                // Even where exp is optional, a present-but-invalid value is not "absent".
                #expect(
                    try Kit.claims(Kit.payload([(claim, value)])) { $0.requiresExpiration = false } == .invalidClaim,
                    "\(claim) = \(value), exp optional"
                )
            }
        }
        for exp in ["1796000840.5", "1.79600084e9", "1796000840E0", "17960008400e-1"] {
            #expect(try Kit.claims(Kit.payload([("exp", exp)])) == nil, "exp \(exp)")
        }
        #expect(try Kit.claims(Kit.payload([("iat", "0"), ("nbf", "0")])) == nil)
        #expect(try Kit.claims(Kit.payload([("exp", nil)])) == .missingClaim)
        #expect(try Kit.claims(Kit.payload([("exp", nil)])) { $0.requiresExpiration = false } == nil)
        // nbf is checked whenever present, and exp beats a far-future nbf only by order, never by omission.
        #expect(try Kit.claims(Kit.payload([("nbf", "253402300799")])) == .notYetValid)
        #expect(try Kit.claims(Kit.payload([("exp", "1")])) == .expired)
    }

    // MARK: Row 21

    @Test("row 21: lax base64url is refused in every segment")
    func row21LaxBase64URL() async throws {
        let verifier = try Kit.verifier()
        let token = try Kit.token("es256-valid")
        await TestSupport.expect(token, verifier, nil, "control")
        let parts = Kit.segments(token)
        for index in 0..<3 {
            var mutations: [(String, String)] = [
                ("= padding", parts[index] + "="), ("== padding", parts[index] + "=="),
                ("space inside", Kit.insert(" ", into: parts[index])),
                ("newline inside", Kit.insert("\n", into: parts[index])),
                ("tab inside", Kit.insert("\t", into: parts[index])),
                ("NUL inside", Kit.insert("\u{0}", into: parts[index])),
                ("'+' inserted", Kit.insert("+", into: parts[index])),
                ("'/' inserted", Kit.insert("/", into: parts[index])),
                ("'*' inserted", Kit.insert("*", into: parts[index])),
                ("non-ASCII inside", Kit.insert("é", into: parts[index])),
                ("length % 4 == 1", Kit.lengthOneModFour(parts[index])),
            ]
            if parts[index].count % 4 != 0 {
                mutations.append(("non-zero trailing bits", Kit.withTrailingBitSet(parts[index])))
            }
            if let swapped = Kit.standardAlphabet(parts[index]) {
                mutations.append(("'+'/'/' instead of '-'/'_'", swapped))
            }
            for (label, segment) in mutations {
                var changed = parts
                changed[index] = segment
                await TestSupport.expect(changed.joined(separator: "."), verifier, .malformed, "segment \(index): \(label)")
            }
        }
        for name in ["non-canonical-b64", "padded-signature", "plus-slash"] {
            await TestSupport.expect(try Kit.token(name), verifier, .malformed, "fixture \(name)")
        }
        // The decoder itself: only the canonical encoding decodes.
        #expect(try Base64URL.decode(Array("QQ".utf8)) == [0x41])
        #expect(throws: Base64URL.DecodingError.nonZeroTrailingBits) { try Base64URL.decode(Array("QR".utf8)) }
        #expect(throws: Base64URL.DecodingError.invalidCharacter) { try Base64URL.decode(Array("QQ==".utf8)) }
        #expect(throws: Base64URL.DecodingError.invalidLength) { try Base64URL.decode(Array("QQQQQ".utf8)) }
    }

    // MARK: Row 22

    @Test("row 22: whitespace, prefixes, trailing data and JSON serialization are refused")
    func row22Polyglots() async throws {
        let verifier = try Kit.verifier()
        let token = try Kit.token("es256-valid")
        let wrapped = [
            " " + token, token + " ", token + "\n", token + "\r\n", "\n" + token, token + "\t", token + "\u{0}",
            "Bearer " + token, "bearer " + token, "\"" + token + "\"", token + ".", "." + token, token + "," + token,
        ]
        for candidate in wrapped {
            await TestSupport.expect(
                candidate,
                verifier,
                .malformed,
                "\(candidate.prefix(10).debugDescription)…\(candidate.suffix(4).debugDescription)"
            )
        }
        // The JWS JSON serializations (flattened and general) of the same valid token.
        let parts = Kit.segments(token)
        let flattened = #"{"payload":"\#(parts[1])","protected":"\#(parts[0])","signature":"\#(parts[2])"}"#
        let general =
            #"{"payload":"\#(parts[1])","signatures":[{"protected":"\#(parts[0])","signature":"\#(parts[2])"}]}"#
        await TestSupport.expect(flattened, verifier, .malformed, "flattened JSON serialization")
        await TestSupport.expect(general, verifier, .malformed, "general JSON serialization")
        await TestSupport.expect(try Kit.wycheproofJWS(17).jws, verifier, .malformed, "Wycheproof tcId 17")
        for name in [
            "jws-json-serialization", "trailing-newline", "leading-space", "bearer-prefix", "es256-payload-trailing",
        ] {
            await TestSupport.expect(try Kit.token(name), verifier, .malformed, "fixture \(name)")
        }
        // The header parser consumes its whole input: no trailing garbage or second object.
        for header in [
            #"{"alg":"ES256","kid":"es256-a"}x"#, #"{"alg":"ES256","kid":"es256-a"}{"alg":"none"}"#,
            #"{"alg":"ES256","kid":"es256-a"},"#, #"{"alg":"ES256","kid":"es256-a"}]"#,
            #"{"alg":"ES256","kid":"es256-a"}"# + "\u{0}",
        ] {
            await TestSupport.expect(Kit.forge(header: header), verifier, .malformed, "\(header.debugDescription)")
        }
    }

    // MARK: Row 23

    @Test("row 23: oversized tokens, dot floods, deep nesting and overfull key sets are refused cheaply")
    func row23ResourceExhaustion() async throws {
        let verifier = try Kit.verifier()
        let wide = try Kit.verifier { $0.maxTokenBytes = 1 << 20 }

        await TestSupport.expect(String(repeating: "A", count: 10_000_000), verifier, .tokenTooLarge, "10 MB of base64url")
        await TestSupport.expect(
            String(repeating: ".", count: 1_000_000),
            verifier,
            .tokenTooLarge,
            "1,000,000 dots, default limit"
        )
        await TestSupport.expect(String(repeating: ".", count: 1_000_000), wide, .malformed, "1,000,000 dots, 1 MiB limit")
        await TestSupport.expect(try Kit.token("too-large"), verifier, .tokenTooLarge)
        // A header nested 100,000 deep (and one just past the depth cap) is malformed, not a crash.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        await TestSupport.expect(Kit.forge(header: deep), wide, .malformed, "header nested 100,000 deep")
        await TestSupport.expect(
            Kit.forge(
                header:
                    #"{"alg":"ES256","kid":"es256-a","x":\#(String(repeating: "[", count: 1000))1\#(String(repeating: "]", count: 1000))}"#
            ),
            verifier,
            .malformed,
            "header nested 1,000 deep"
        )
        // The payload is not parsed until the signature holds: a hostile payload under a bad
        // signature costs a signature check, no parse.
        let hostilePayload = String(repeating: "[", count: 5_000)
        await TestSupport.expect(
            Kit.forge(header: #"{"alg":"ES256","kid":"es256-a"}"#, payload: hostilePayload),
            verifier,
            .invalidSignature
        )

        // Key sets: too many entries or too many bytes are refused as a whole.
        let ec = try Kit.jwk("es256-a")
        let tooMany = (0...256).map { index in ec.merging(["kid": "k\(index)"]) { $1 } }
        let manyError = #expect(throws: JWTError.self) { try JWKSet(json: try Kit.json(["keys": tooMany])) }
        #expect(manyError?.code == .invalidKeySet)
        #expect(manyError?.message.contains("257") == true)
        let padded =
            #"{"keys":[\#(String(decoding: try Kit.json(ec), as: UTF8.self))],"pad":"\#(String(repeating: "a", count: 300_000))"}"#
        let bigError = #expect(throws: JWTError.self) { try JWKSet(json: Array(padded.utf8)) }
        #expect(bigError?.code == .invalidKeySet)
        let nested =
            #"{"keys":[\#(String(decoding: try Kit.json(ec), as: UTF8.self))],"pad":\#(String(repeating: "[", count: 10_000))}"#
        let nestedError = #expect(throws: JWTError.self) { try JWKSet(json: Array(nested.utf8)) }
        #expect(nestedError?.code == .invalidKeySet)
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

    // MARK: Row 26

    @Test("row 26: JWE (five segments, enc header) is refused and never decrypted")
    func row26JWE() async throws {
        let verifier = try Kit.verifier()
        let cookbook = try Kit.vectorObject("vectors/rfc7520-cookbook/6.nesting_signatures_and_encryption.json")
        let jwe = try #require(
            ((cookbook["encrypt"] as? [String: Any])?["output"] as? [String: Any])?["compact"] as? String
        )
        #expect(Kit.segments(jwe).count == 5)
        await TestSupport.expect(jwe, verifier, .malformed, "RFC 7520 §6 nested JWE")
        let parts = Kit.segments(try Kit.token("es256-valid"))
        await TestSupport.expect(
            parts.joined(separator: ".") + ".AAAA.AAAA",
            verifier,
            .malformed,
            "valid JWS padded to five segments"
        )
        // A JWE-shaped five-segment token wrapping an unsigned inner JWT (pac4j CVE-2026-29000 shape).
        let inner = Kit.forge(header: #"{"alg":"none"}"#, signature: [0])
        let outerHeader = Base64URL.encode(Array(#"{"alg":"dir","enc":"A128GCM","cty":"JWT"}"#.utf8))
        await TestSupport.expect(
            [outerHeader, "", "AAAAAAAAAAAAAAAA", Base64URL.encode(Array(inner.utf8)), "AAAAAAAAAAAAAAAAAAAAAA"].joined(
                separator: "."
            ),
            verifier,
            .malformed
        )
        // Three segments with a JWE header.
        for header in [
            #"{"alg":"RSA-OAEP","enc":"A128GCM"}"#, #"{"alg":"ES256","kid":"es256-a","enc":"A256GCM"}"#,
            #"{"alg":"dir","enc":"A128GCM","cty":"JWT"}"#, #"{"alg":"ES256","kid":"es256-a","enc":null}"#,
        ] {
            await TestSupport.expect(Kit.forge(header: header), verifier, .unsupportedCriticalHeader, "\(header)")
        }
        await TestSupport.expect(try Kit.token("enc-header"), verifier, .unsupportedCriticalHeader)
    }

    // MARK: Row 27

    @Test("row 27: nested JWTs (cty JWT) are refused")
    func row27NestedJWT() async throws {
        let verifier = try Kit.verifier()
        for cty in ["JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT", "application/JWT", "Application/Jwt"] {
            for rest in [#""alg":"ES256","kid":"es256-a""#, #""alg":"ES256""#, #""alg":"EdDSA","kid":"nope""#] {
                let token = Kit.forge(header: #"{\#(rest),"cty":"\#(cty)"}"#, payload: try Kit.token("es256-valid"))
                await TestSupport.expect(token, verifier, .unsupportedCriticalHeader, "cty \(cty) with \(rest)")
            }
        }
        await TestSupport.expect(
            Kit.forge(header: #"{"alg":"ES256","kid":"es256-a","cty":5}"#),
            verifier,
            .malformed,
            "cty must be a string"
        )
        for name in ["cty-jwt", "cty-jwt-lower"] {
            await TestSupport.expect(try Kit.token(name), verifier, .unsupportedCriticalHeader, "fixture \(name)")
        }
    }

    // MARK: Row 28

    @Test("row 28: a token of the wrong typ is refused when types are configured")
    func row28TokenType() async throws {
        let manifest = try TestSupport.manifest()
        for name in ["typ-at-jwt-valid", "typ-application-prefix", "typ-mismatch", "typ-missing"] {
            let fixture = try #require(manifest.cases.first { $0.name == name })
            let verifier = try TestSupport.manifestVerifier(manifest, options: fixture.options)
            await TestSupport.expect(
                fixture.token,
                verifier,
                fixture.expect == "valid" ? nil : Kit.codeNamed(fixture.expect),
                "fixture \(name)"
            )
        }
        // An ordinary JWT (typ "JWT") at an endpoint that wants access tokens.
        let accessOnly = try Kit.verifier { $0.claims.acceptedTypes = ["at+jwt"] }
        await TestSupport.expect(try Kit.token("es256-valid"), accessOnly, .invalidClaim)
        let cases: [(String?, JWTError.Code?)] = [
            ("JWT", .invalidClaim), ("at+jwt ", .invalidClaim), (" at+jwt", .invalidClaim),
            ("application/application/at+jwt", .invalidClaim),
            ("at+jwt;charset=utf-8", .invalidClaim), ("x-at+jwt", .invalidClaim), ("logout+jwt", .invalidClaim),
            ("secevent+jwt", .invalidClaim),
            ("id_token", .invalidClaim), ("", .invalidClaim), ("at+jwt\\u0000", .invalidClaim), (nil, .missingClaim),
            ("at+jwt", nil), ("AT+JWT", nil), ("application/at+jwt", nil), ("Application/At+Jwt", nil),
        ]
        for (typ, expected) in cases {
            let header =
                typ.map { #"{"alg":"ES256","kid":"es256-a","typ":"\#($0)"}"# } ?? #"{"alg":"ES256","kid":"es256-a"}"#
            #expect(
                try Kit.claims(Kit.payload(), header: header) { $0.acceptedTypes = ["at+jwt"] } == expected,
                "typ \(typ ?? "absent")"
            )
        }
        #expect(
            try Kit.claims(Kit.payload(), header: #"{"alg":"ES256","typ":"at+jwt"}"#) {
                $0.acceptedTypes = ["application/at+jwt"]
            } == nil
        )
        await TestSupport.expect(
            Kit.forge(header: #"{"alg":"ES256","kid":"es256-a","typ":1}"#),
            accessOnly,
            .malformed,
            "typ must be a string"
        )
    }

    // MARK: Row 29

    @Test("row 29: claims come only from verify; the unverified peek returns the header alone")
    func row29UnverifiedAccess() async throws {
        let verifier = try Kit.verifier()
        let swapped = try Kit.token("payload-swapped")
        await TestSupport.expect(swapped, verifier, .invalidSignature)
        let peek = try UnverifiedHeader(peekingAt: swapped)
        #expect(peek.algorithm == "ES256")
        #expect(peek.keyID == "es256-a")
        #expect(peek.type == "JWT")
        // The peek type holds the header members and nothing else: no claims, no payload.
        #expect(Mirror(reflecting: peek).children.compactMap(\.label).sorted() == ["algorithm", "keyID", "type"])
        // An unsigned token can be peeked at (alg is reported as written) but never verified.
        let unsigned = Kit.forge(header: #"{"alg":"none","kid":"es256-a"}"#, signature: [0])
        #expect(try UnverifiedHeader(peekingAt: unsigned).algorithm == "none")
        await TestSupport.expect(unsigned, verifier, .unsupportedAlgorithm)
        // The peek applies the same strict header rules as verify.
        let tooLarge = try Kit.token("too-large")
        let valid = try Kit.token("es256-valid")
        let refusals: [(String, JWTError.Code)] = [
            (Kit.forge(header: #"{"alg":"ES256","kid":"es256-a","crit":["exp"]}"#), .unsupportedCriticalHeader),
            (Kit.forge(header: #"{"alg":"ES256","alg":"none"}"#), .malformed),
            (tooLarge, .tokenTooLarge),
            ("Bearer " + valid, .malformed),
        ]
        for (token, expected) in refusals {
            let error = #expect(throws: JWTError.self) { try UnverifiedHeader(peekingAt: token) }
            #expect(error?.code == expected)
        }
    }

    // MARK: Row 30

    @Test("row 30: unusable, private, symmetric and duplicate-kid keys are kept out of the key set")
    func row30KeySetHygiene() async throws {
        let ec = try Kit.jwk("es256-a")
        let other = try Kit.jwk("es256-b")
        let entries: [(kid: String, jwk: [String: Any], reason: String)] = [
            ("use-enc", other.merging(["kid": "use-enc", "use": "enc"]) { $1 }, "use"),
            ("use-number", other.merging(["kid": "use-number", "use": 1]) { $1 }, "use"),
            ("ops-sign", other.merging(["kid": "ops-sign", "key_ops": ["sign"]]) { $1 }, "key_ops"),
            (
                "ops-encrypt", other.merging(["kid": "ops-encrypt", "key_ops": ["encrypt", "decrypt"]]) { $1 },
                "key_ops"
            ),
            ("ops-string", other.merging(["kid": "ops-string", "key_ops": "verify"]) { $1 }, "key_ops"),
            (
                "ops-repeated", other.merging(["kid": "ops-repeated", "key_ops": ["verify", "verify"]]) { $1 },
                "key_ops"
            ),
            (
                "private-d",
                other.merging(["kid": "private-d", "d": Base64URL.encode([UInt8](repeating: 7, count: 32))]) { $1 },
                "private"
            ),
            (
                "oct", ["kty": "oct", "kid": "oct", "k": Base64URL.encode([UInt8](repeating: 1, count: 32))],
                "symmetric"
            ),
            (
                "rsa-private",
                ["kty": "RSA", "kid": "rsa-private", "n": "AQAB", "e": "AQAB", "d": "AQAB", "p": "AQ", "q": "AQ"],
                "private"
            ),
            ("dup", other.merging(["kid": "dup"]) { $1 }, "shared"),
            ("dup", other.merging(["kid": "dup"]) { $1 }, "shared"),
        ]
        let keys = try Kit.keySet([ec] + entries.map(\.jwk))
        #expect(keys.keyIDs == ["es256-a"])
        #expect(keys.skippedKeys.count == entries.count)
        for (index, entry) in entries.enumerated() {
            let skipped = keys.skippedKeys.first { $0.index == index + 1 }
            #expect(skipped?.keyID == entry.kid)
            #expect(skipped?.reason.contains(entry.reason) == true, "\(entry.kid): \(skipped?.reason ?? "not skipped")")
        }
        let verifier = try Kit.verifier(keys: keys)
        for kid in Set(entries.map(\.kid)) {
            await TestSupport.expect(
                Kit.forge(header: #"{"alg":"ES256","kid":"\#(kid)"}"#),
                verifier,
                .unknownKey,
                "kid \(kid)"
            )
        }
        await TestSupport.expect(try Kit.token("es256-valid"), verifier, nil, "control: the clean key still verifies")
        // Even two identical copies of the genuine key under one kid make that kid unusable.
        let twice = try Kit.keySet([ec, ec, try Kit.jwk("ed25519-a")])
        await TestSupport.expect(try Kit.token("es256-valid"), try Kit.verifier(keys: twice), .unknownKey)
        let duplicateFixture = try JWKSet(json: try TestSupport.fixture("jwks/duplicate-kid.jwks.json"))
        await TestSupport.expect(
            Kit.forge(header: #"{"alg":"ES256","kid":"dup"}"#),
            try Kit.verifier(keys: duplicateFixture),
            .unknownKey
        )
        for name in ["kid-enc-key", "kid-keyops-sign", "kid-private-key", "kid-skipped-rsa"] {
            await TestSupport.expect(try Kit.token(name), try Kit.verifier(), .unknownKey, "fixture \(name)")
        }
        // Wycheproof: a set whose only key is for encryption (JWK tcId 21) is unusable; in the mixed
        // symmetric + EC set (tcId 1) the symmetric key is dropped and the set's HS256 token refused;
        // the encryption-use keys of JWS tcIds 354/356 are not verification keys.
        let encryptionOnly = #expect(throws: JWTError.self) {
            try JWKSet(json: try Kit.json(try Kit.wycheproofKeySet(21)))
        }
        #expect(encryptionOnly?.code == .invalidKeySet)
        let mixed = try JWKSet(json: try Kit.json(try Kit.wycheproofKeySet(1, member: "private")))
        #expect(mixed.keyIDs == ["kid-ec-sign"])
        #expect(mixed.skippedKeys.map(\.keyID) == ["kid-aes-sign"])
        await TestSupport.expect(
            try Kit.wycheproofKeyTestJWS(1),
            try Kit.verifier(keys: mixed),
            .unsupportedAlgorithm,
            "Wycheproof JWK tcId 1"
        )
        for tcId in [354, 356] {
            let key = try #require(try Kit.wycheproofJWS(tcId).publicKey)
            let error = #expect(throws: JWTError.self, "Wycheproof JWS tcId \(tcId)") {
                try JWTVerificationKey(jwk: try Kit.json(key))
            }
            #expect(error?.code == .invalidKeySet)
        }
    }

    // MARK: Row 31

    @Test("row 31: JSON parser laxness is refused; escaped names and values are compared after unescaping")
    func row31JSONLaxness() async throws {
        let verifier = try Kit.verifier()
        let header = Array(#"{"alg":"ES256","kid":"es256-a"}"#.utf8)
        let lax: [(String, [UInt8])] = [
            ("byte-order mark", [0xEF, 0xBB, 0xBF] + header),
            ("invalid UTF-8 byte", Array(#"{"alg":"ES256","kid":"es256-"#.utf8) + [0xFF] + Array(#""}"#.utf8)),
            (
                "overlong encoding of '/'",
                Array(#"{"alg":"ES256","kid":"es256-"#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
            ),
            (
                "encoded surrogate (CESU-8)",
                Array(#"{"alg":"ES256","kid":"es256-"#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
            ),
            ("truncated UTF-8", Array(#"{"alg":"ES256","kid":"es256-"#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8)),
            (
                "UTF-16LE",
                Array(#"{"alg":"ES256","kid":"es256-a"}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            ),
            ("NaN", Array(#"{"alg":"ES256","kid":"es256-a","x":NaN}"#.utf8)),
            ("Infinity", Array(#"{"alg":"ES256","kid":"es256-a","x":Infinity}"#.utf8)),
            ("-Infinity", Array(#"{"alg":"ES256","kid":"es256-a","x":-Infinity}"#.utf8)),
            ("comment", Array(#"{"alg":"ES256",/* c */"kid":"es256-a"}"#.utf8)),
            ("single quotes", Array(#"{'alg':'ES256','kid':'es256-a'}"#.utf8)),
            ("trailing comma", Array(#"{"alg":"ES256","kid":"es256-a",}"#.utf8)),
            ("unquoted name", Array(#"{alg:"ES256","kid":"es256-a"}"#.utf8)),
            ("leading zero", Array(#"{"alg":"ES256","kid":"es256-a","x":01}"#.utf8)),
            ("leading plus", Array(#"{"alg":"ES256","kid":"es256-a","x":+1}"#.utf8)),
            ("bare fraction", Array(#"{"alg":"ES256","kid":"es256-a","x":.5}"#.utf8)),
            ("hex number", Array(#"{"alg":"ES256","kid":"es256-a","x":0x10}"#.utf8)),
            ("lone high surrogate escape", Array(#"{"alg":"ES256","kid":"es256-a\ud800"}"#.utf8)),
            ("lone low surrogate escape", Array(#"{"alg":"ES256","kid":"\udc00es256-a"}"#.utf8)),
            ("raw control character", Array(#"{"alg":"ES256","kid":"es256-a"#.utf8) + [0x01] + Array(#""}"#.utf8)),
            ("invalid escape", Array(#"{"alg":"ES256","kid":"es256-\x61"}"#.utf8)),
            ("True literal", Array(#"{"alg":"ES256","kid":"es256-a","x":True}"#.utf8)),
        ]
        for (label, bytes) in lax {
            await TestSupport.expect(Kit.forge(headerBytes: bytes), verifier, .malformed, "\(label)")
        }
        // The reader refuses the BOM itself (it does not skip it, nor read past it).
        #expect(throws: StrictJSONReader.Failure.byteOrderMark) {
            try StrictJSONReader.read([0xEF, 0xBB, 0xBF] + header, limits: JOSEHeader.jsonLimits)
        }
        #expect(throws: Never.self, "control") { try StrictJSONReader.read(header, limits: JOSEHeader.jsonLimits) }
        // Escapes decode before comparison: "\u0045S256" is ES256 and "es256-\u0061" is es256-a, so
        // the token reaches the signature check (which fails: the header bytes changed).
        await TestSupport.expect(
            Kit.forge(
                header: #"{"\u0061lg":"\u0045S256","kid":"es256-\u0061"}"#,
                payload: nil,
                signatureOf: try Kit.token("es256-valid")
            ),
            verifier,
            .invalidSignature
        )
        await TestSupport.expect(Kit.forge(header: #"{"alg":"\u006eone","kid":"es256-a"}"#), verifier, .unsupportedAlgorithm)
        await TestSupport.expect(
            Kit.forge(header: #"{"alg":"ES256","kid":"\ud83d\ude00"}"#),
            verifier,
            .unknownKey,
            "a valid surrogate pair is fine"
        )
        for name in [
            "header-bom", "header-not-object", "header-alg-number", "es256-payload-bom", "es256-payload-not-json",
            "es256-payload-array",
        ] {
            await TestSupport.expect(try Kit.token(name), verifier, .malformed, "fixture \(name)")
        }
    }
}

// MARK: - Helpers (private to this file)

private struct VectorMissing: Error, CustomStringConvertible {
    let description: String
}

private enum Kit {
    /// 64 non-zero bytes whose halves are in [1, n−1] and whose S half is below L: garbage that
    /// passes every range check and fails only at the signature itself.
    static let filler: [UInt8] = (0..<64).map { (index: Int) -> UInt8 in
        let byte = UInt8(truncatingIfNeeded: index &* 7 &+ 1)
        return index == 63 ? byte & 0x0F : byte
    }

    static let defaultHeader = #"{"alg":"ES256","kid":"es256-a","typ":"JWT"}"#

    /// The P-256 group order n, big-endian.
    static let p256Order = TestSupport.bytes(hex: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
    /// The Ed25519 group order L, little-endian.
    static let ed25519OrderLittleEndian = Array(
        TestSupport.bytes(hex: "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed").reversed()
    )

    // Fixtures

    static func token(_ name: String) throws -> String {
        guard let found = try TestSupport.manifest().cases.first(where: { $0.name == name }) else {
            throw VectorMissing(description: "no fixture named \(name)")
        }
        return found.token
    }

    static func vectorObject(_ path: String) throws -> [String: Any] {
        guard let object = try TestSupport.fixtureJSON(path) as? [String: Any] else {
            throw VectorMissing(description: "\(path) is not a JSON object")
        }
        return object
    }

    /// A Wycheproof JWS test: its compact token and its group's public key, if any.
    static func wycheproofJWS(_ tcId: Int) throws -> (jws: String, publicKey: [String: Any]?) {
        let root = try vectorObject("vectors/wycheproof/json_web_signature_test.json")
        for group in root["testGroups"] as? [[String: Any]] ?? [] {
            for test in group["tests"] as? [[String: Any]] ?? [] where "\(test["tcId"] ?? "")" == "\(tcId)" {
                guard let jws = test["jws"] as? String else { continue }
                return (jws, group["public"] as? [String: Any])
            }
        }
        throw VectorMissing(description: "Wycheproof JWS tcId \(tcId)")
    }

    /// The key set (`public`, or another member) of the Wycheproof JWK group holding `tcId`.
    static func wycheproofKeySet(_ tcId: Int, member: String = "public") throws -> [String: Any] {
        let root = try vectorObject("vectors/wycheproof/json_web_key_test.json")
        for group in root["testGroups"] as? [[String: Any]] ?? [] {
            let tests = group["tests"] as? [[String: Any]] ?? []
            if tests.contains(where: { "\($0["tcId"] ?? "")" == "\(tcId)" }),
                let set = (group[member] ?? group["private"]) as? [String: Any]
            {
                return set
            }
        }
        throw VectorMissing(description: "Wycheproof JWK tcId \(tcId)")
    }

    static func wycheproofKeyTestJWS(_ tcId: Int) throws -> String {
        let root = try vectorObject("vectors/wycheproof/json_web_key_test.json")
        for group in root["testGroups"] as? [[String: Any]] ?? [] {
            for test in group["tests"] as? [[String: Any]] ?? [] where "\(test["tcId"] ?? "")" == "\(tcId)" {
                if let jws = test["jws"] as? String { return jws }
            }
        }
        throw VectorMissing(description: "Wycheproof JWK tcId \(tcId)")
    }

    /// One entry of the main fixture JWK Set, by kid.
    static func jwk(_ kid: String) throws -> [String: Any] {
        let set = try vectorObject("jwks/simbee.jwks.json")
        guard let found = (set["keys"] as? [[String: Any]])?.first(where: { $0["kid"] as? String == kid }) else {
            throw VectorMissing(description: "no JWK \(kid)")
        }
        return found
    }

    static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func keySet(_ keys: [[String: Any]]) throws -> JWKSet {
        try JWKSet(json: try json(["keys": keys]))
    }

    // Verifiers

    static func policy(clock: Double, issuer: String?, audience: String?) -> ClaimsPolicy {
        var policy = ClaimsPolicy(issuer: issuer, audiences: audience.map { [$0] } ?? [])
        policy.clock = TestSupport.pinnedClock(clock)
        return policy
    }

    /// A verifier configured like the manifest (issuer, audience, clock, 60 s leeway), then adjusted.
    static func verifier(
        keys: JWKSet? = nil,
        clock: Double? = nil,
        _ adjust: (inout JWTVerifier.Configuration) -> Void = { _ in }
    ) throws -> JWTVerifier {
        let manifest = try TestSupport.manifest()
        var configuration = JWTVerifier.Configuration(
            claims: policy(clock: clock ?? manifest.now, issuer: manifest.issuer, audience: manifest.audience)
        )
        adjust(&configuration)
        return try JWTVerifier(keys: try keys ?? TestSupport.fixtureKeySet(), configuration: configuration)
    }


    static func codeNamed(_ name: String) -> JWTError.Code? {
        let all: [JWTError.Code] = [
            .malformed, .tokenTooLarge, .unsupportedAlgorithm, .algorithmNotAllowed, .unknownKey, .keyMismatch,
            .invalidSignature,
            .unsupportedCriticalHeader, .expired, .notYetValid, .issuerMismatch, .audienceMismatch, .missingClaim,
            .invalidClaim,
        ]
        return all.first { $0.name == name }
    }

    // Claims

    /// Default claims as raw JSON members; `changes` replace (or, with nil, remove) or append members.
    static func payload(_ changes: [(String, String?)] = []) -> String {
        var members: [(String, String)] = [
            ("iss", #""https://api.simbee.io""#), ("sub", #""cu_fixture1""#), ("aud", #""cl_fixture""#),
            ("iat", "1795999940"), ("exp", "1796000840"), ("jti", #""forged""#),
        ]
        for (name, value) in changes {
            if let index = members.firstIndex(where: { $0.0 == name }) {
                if let value { members[index].1 = value } else { members.remove(at: index) }
            } else if let value {
                members.append((name, value))
            }
        }
        return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// Runs the claims policy (manifest configuration, then `adjust`) over a payload and header, as
    /// `verify` does once a signature holds. Returns the refusal code, or nil when accepted.
    static func claims(
        _ payload: String,
        header: String = defaultHeader,
        _ adjust: (inout ClaimsPolicy) -> Void = { _ in }
    ) throws -> JWTError.Code? {
        let manifest = try TestSupport.manifest()
        let object = Array(payload.utf8)
        let parsedHeader = try JOSEHeader(decoded: Array(header.utf8))
        var policy = policy(clock: manifest.now, issuer: manifest.issuer, audience: manifest.audience)
        adjust(&policy)
        do {
            _ = try ClaimsValidation.validate(payload: object, headerType: parsedHeader.type, policy: policy)
            return nil
        } catch {
            return error.code
        }
    }

    // Token surgery

    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func signature(of token: String) throws -> [UInt8] {
        try Base64URL.decode(Array(segments(token)[2].utf8))
    }

    static func halves(_ signature: [UInt8]) -> ([UInt8], [UInt8]) {
        (Array(signature.prefix(32)), Array(signature.dropFirst(32).prefix(32)))
    }

    static func replacingSignature(of token: String, with signature: [UInt8]) -> String {
        let parts = segments(token)
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
    }

    /// A token from header and payload text and signature bytes (no signing: for checks that come
    /// before the signature, or to show that the signature is where a token fails).
    static func forge(header: String, payload: String? = nil, signature: [UInt8] = filler) -> String {
        forge(headerBytes: Array(header.utf8), payload: payload, signature: signature)
    }

    static func forge(headerBytes: [UInt8], payload: String? = nil, signature: [UInt8] = filler) -> String {
        Base64URL.encode(headerBytes) + "." + Base64URL.encode(Array((payload ?? Kit.payload()).utf8)) + "."
            + Base64URL.encode(signature)
    }

    /// A token with `header`, the payload (default claims when nil) and the signature segment of `token`.
    static func forge(header: String, payload: String?, signatureOf token: String) -> String {
        Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array((payload ?? Kit.payload()).utf8)) + "."
            + segments(token)[2]
    }

    static func insert(_ text: String, into segment: String) -> String {
        let middle = segment.index(segment.startIndex, offsetBy: segment.count / 2)
        return String(segment[..<middle]) + text + String(segment[middle...])
    }

    static func lengthOneModFour(_ segment: String) -> String {
        var result = segment
        while result.count % 4 != 1 { result += "A" }
        return result
    }

    /// The same segment with one unused trailing bit set in its last character.
    static func withTrailingBitSet(_ segment: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard let last = segment.last, let value = alphabet.firstIndex(of: last) else { return segment }
        return String(segment.dropLast()) + String(alphabet[value | 1])
    }

    /// The segment in the standard alphabet, if it contains `-` or `_` at all.
    static func standardAlphabet(_ segment: String) -> String? {
        guard segment.contains("-") || segment.contains("_") else { return nil }
        return segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    }

    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ value: [UInt8]) -> [UInt8] {
            var body = Array(value.drop { $0 == 0 })
            if body.isEmpty { body = [0] }
            if body[0] & 0x80 != 0 { body.insert(0, at: 0) }
            return [0x02, UInt8(body.count)] + body
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }

    // 256-bit arithmetic on byte arrays

    static func shiftRightOne(_ value: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: value.count)
        var carry: UInt8 = 0
        for index in 0..<value.count {
            result[index] = value[index] >> 1 | carry
            carry = value[index] << 7
        }
        return result
    }
}
