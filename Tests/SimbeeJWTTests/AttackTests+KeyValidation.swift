import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Key import attacks: weak Ed25519 keys, invalid EC points, and unusable, private, symmetric or
/// duplicate keys in a JWK Set.
///
/// Rows 9, 10 and 30 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
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
}
