import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Parsing attacks: duplicate members, lax base64url, polyglot serializations, resource
/// exhaustion and JSON parser laxness.
///
/// Rows 17, 21, 22, 23 and 31 of the attack catalogue (`shared/ATTACKS.md`); shared helpers are in
/// `Support/AttackKit.swift`.
extension AttackTests {
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
