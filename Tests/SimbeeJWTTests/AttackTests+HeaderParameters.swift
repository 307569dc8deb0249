import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Header attacks: `crit`, unencoded payloads (`b64`), JWE, nested JWTs and token-type confusion.
///
/// Rows 15, 16, 26, 27 and 28 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
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
        let spellings = ["JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT", "application/JWT", "Application/Jwt"]
        // Parameters and spaces around the type do not hide it.
        let decorated = ["jwt; x", "application/jwt;charset=utf-8", " JWT", "JWT\\t", " application/jwt ; q=1"]
        for cty in spellings + decorated {
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
        // Near misses, signed: a cty that only resembles JWT is not a nested token.
        let minter = try TokenMinter(.es256A)
        let payload = #"{"iss":"https://api.simbee.io","aud":"cl_fixture","exp":1796000600}"#
        for cty in ["jwtx", "xjwt", "application/json", "j wt", "application/jwt+json", "jwe"] {
            let token = try minter.token(header: #"{"alg":"ES256","kid":"es256-a","cty":"\#(cty)"}"#, payload: payload)
            await TestSupport.expect(token, verifier, nil, "cty \(cty)")
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
}
