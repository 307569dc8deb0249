import Foundation
import Testing

@testable import SimbeeJWT

/// A verification decodes the three segments into one buffer, each when the verifier reaches it.
@Suite("Decoded segments: one buffer, each segment in its place and in its turn")
struct DecodedSegmentsTests {
    static func layout(_ token: String) throws(JWTError) -> CompactJWS.Layout {
        try CompactJWS.Layout(Array(token.utf8).span, maxBytes: 1 << 16)
    }

    @Test("every fixture token's segments decode to what each decodes to alone")
    func segmentsInPlace() throws {
        var compared = 0
        for fixture in try TestSupport.manifest().cases {
            let token = Array(fixture.token.utf8)
            guard let layout = try? CompactJWS.Layout(token.span, maxBytes: 1 << 16),
                let header = try? Base64URL.decode(token[layout.header]),
                let payload = try? Base64URL.decode(token[layout.payload]),
                let signature = try? Base64URL.decode(token[layout.signature])
            else { continue }
            var decoded = DecodedSegments(for: layout)
            #expect(decoded.bytes.count == header.count + payload.count + signature.count)
            try decoded.decodeHeader(of: token.span, layout)
            try decoded.decodePayload(of: token.span, layout)
            try decoded.decodeSignature(of: token.span, layout)
            #expect(Array(decoded.bytes[decoded.header]) == header, "\(fixture.name)")
            #expect(Array(decoded.bytes[decoded.payload]) == payload, "\(fixture.name)")
            #expect(Array(decoded.bytes[decoded.signature]) == signature, "\(fixture.name)")
            compared += 1
        }
        #expect(compared > 20)
    }

    @Test("a segment no base64url text has the length of gets no room, and decoding it names the segment")
    func impossibleLength() throws {
        // "eyJ" + "a" is 4 characters (fine); "abcde" is 5 (5 % 4 == 1: impossible).
        let token = Array("eyJhbGciOiJFUzI1NiJ9.abcde.AAAA".utf8)
        let layout = try CompactJWS.Layout(token.span, maxBytes: 1 << 16)
        var decoded = DecodedSegments(for: layout)
        #expect(decoded.payload.isEmpty && decoded.signature.count == 3)
        try decoded.decodeHeader(of: token.span, layout)
        #expect(String(decoding: decoded.bytes[decoded.header], as: UTF8.self) == #"{"alg":"ES256"}"#)
        let error = #expect(throws: JWTError.self) { try decoded.decodePayload(of: token.span, layout) }
        #expect(error?.code == .malformed && error?.message.contains("payload") == true)
        try decoded.decodeSignature(of: token.span, layout)
        #expect(Array(decoded.bytes[decoded.signature]) == [0, 0, 0])
    }

    @Test("the verifier still refuses in order: header, algorithm, payload, signature")
    func refusalOrder() async throws {
        let manifest = try TestSupport.manifest()
        let verifier = try TestSupport.manifestVerifier(manifest)
        let valid = try #require(manifest.cases.first { $0.name == "es256-valid" }).token.split(separator: ".")
        let badHeader = "e!J9"
        let noneHeader = TokenMinter.base64URL(Array(#"{"alg":"none"}"#.utf8))
        let hsHeader = TokenMinter.base64URL(Array(#"{"alg":"HS256","kid":"es256-a"}"#.utf8))
        let badPayload = "abcde"
        let badSignature = "A+AA"
        func refusal(_ parts: [Substring]) async -> JWTError? {
            await TestSupport.refusal(parts.joined(separator: "."), verifier)
        }
        let header = await refusal([Substring(badHeader), Substring(badPayload), Substring(badSignature)])
        #expect(header?.code == .malformed && header?.message.contains("header") == true)
        for algorithmHeader in [noneHeader, hsHeader] {
            let algorithm = await refusal([Substring(algorithmHeader), Substring(badPayload), Substring(badSignature)])
            #expect(algorithm?.code == .unsupportedAlgorithm || algorithm?.code == .algorithmNotAllowed)
        }
        let payload = await refusal([valid[0], Substring(badPayload), Substring(badSignature)])
        #expect(payload?.code == .malformed && payload?.message.contains("payload") == true)
        let signature = await refusal([valid[0], valid[1], Substring(badSignature)])
        #expect(signature?.code == .malformed && signature?.message.contains("signature") == true)
        // Near miss: the same segments, well formed, verify.
        #expect(await refusal(valid) == nil)
    }
}

/// The text claims are read from the verified payload when asked; they must read exactly as the
/// claims did when they were copied out at verification.
@Suite("Registered claims read on demand")
struct ClaimsOnDemandTests {
    static func claims(_ payload: String) throws(JWTError) -> RegisteredClaims {
        try RegisteredClaims(payload: Array(payload.utf8))
    }

    @Test("hasScope agrees with scopes on every candidate: escapes, spaces, look-alikes and near misses")
    func hasScopeAgreesWithScopes() throws {
        let payloads = [
            #"{"scope":"read  write admin","scopes":["admin","re\u0061d"],"scp":"extra read"}"#,
            #"{"scp":["a","b","\u212Aey"],"scope":" lead trail "}"#,
            #"{"scopes":["admin ","adm","admin2"]}"#,
            #"{"scope":"caf\u00e9 cafe\u0301"}"#,
            #"{"scope":""}"#,
            #"{"sub":"no scopes at all"}"#,
        ]
        let candidates = [
            "read", "write", "admin", "extra", "a", "b", "Key", "\u{212A}ey", "lead", "trail", "adm", "admin2",
            "admin ", "admin2 ", "", " ", "café", "cafe\u{301}", "rea", "reads",
        ]
        for payload in payloads {
            let claims = try Self.claims(payload)
            let scopes = claims.scopes
            for candidate in candidates {
                let expected = scopes.contains { $0.utf8.elementsEqual(candidate.utf8) }
                #expect(claims.hasScope(candidate) == expected, "\(payload): \(candidate.debugDescription)")
            }
        }
        #expect(try Self.claims(payloads[0]).scopes == ["read", "write", "admin", "extra"])
        #expect(try Self.claims(payloads[1]).scopes == ["lead", "trail", "a", "b", "\u{212A}ey"])
        #expect(try Self.claims(payloads[3]).scopes == ["café", "cafe\u{301}"])
        #expect(try Self.claims(payloads[4]).scopes.isEmpty && !Self.claims(payloads[4]).hasScope(""))
    }

    @Test("iss and aud are matched in place, byte for byte, string or array")
    func issuerAndAudienceInPlace() throws {
        let claims = try Self.claims(#"{"iss":"https://api.simbee.io","aud":["cl_a","cl_b\u0032"]}"#)
        #expect(claims.hasIssuer("https://api.simbee.io") == true)
        #expect(
            claims.hasIssuer("https://api.simbee.io/") == false && claims.hasIssuer("https://api.simbee.i") == false
        )
        #expect(claims.audienceContains(anyOf: ["cl_b2"]) && claims.audienceContains(anyOf: ["x", "cl_a"]))
        #expect(!claims.audienceContains(anyOf: ["cl_b", "cl_", "cl_a ", "CL_A"]))
        let single = try Self.claims(#"{"aud":"cl_\u0061"}"#)
        #expect(single.audienceContains(anyOf: ["cl_a"]) && !single.audienceContains(anyOf: ["cl_a2", "cl_"]))
        let none = try Self.claims(#"{"sub":"x"}"#)
        #expect(none.hasIssuer("x") == nil && !none.hasAudience && !none.audienceContains(anyOf: ["x"]))
        #expect(claims.issuer == "https://api.simbee.io" && claims.audience == ["cl_a", "cl_b2"])
    }

    @Test("claims compare and hash by their values, not by the bytes they were read from")
    func equality() throws {
        let a = try Self.claims(#"{"sub":"cu_1","aud":"cl_x","scope":"read write"}"#)
        let b = try Self.claims(#"{ "scope" : "read write", "aud" : ["cl_x"], "sub" : "cu_\u0031" }"#)
        let c = try Self.claims(#"{"sub":"cu_2","aud":"cl_x","scope":"read write"}"#)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }

    @Test("dump and description show the claims, never the buffer they are read from")
    func mirror() throws {
        let claims = try Self.claims(#"{"iss":"https://issuer.example","sub":"cu_7","scope":"read"}"#)
        var dumped = ""
        dump(claims, to: &dumped)
        for text in [dumped, String(describing: claims)] {
            #expect(text.contains("cu_7") && text.contains("https://issuer.example") && text.contains("read"))
            // A byte array would appear as a run of bare integers, one per line or comma.
            #expect(!text.contains("nodes") && !text.contains("bytes"), "\(text)")
        }
        let lines = dumped.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(!lines.contains { $0.hasPrefix("- ") && UInt8($0.dropFirst(2)) != nil }, "\(dumped)")
    }
}
