import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Claims attacks: `aud` and `iss` confusion, time-claim type and range confusion, and claims read
/// without verification.
///
/// Rows 18, 19, 20 and 29 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
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
}
