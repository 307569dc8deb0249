import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Signature attacks: psychic ECDSA signatures, out-of-range and DER-encoded ES256 signatures,
/// high-S malleability, and non-canonical Ed25519 signatures.
///
/// Rows 4, 5, 6, 7 and 8 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
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
}
