import Foundation
@_spi(Testing) import SimbeeJWT
import Testing

/// The `aud` rules (RFC 7519 §4.1.3): exact matches only, for a string and for an array, and a
/// present `aud` refused when the verifier has no audience of its own unless the policy says to
/// skip the check. Every check has near misses on both sides.
@Suite("aud: exact matching and the no-audience default")
struct AudienceTests {
    static let now = 1_796_000_000.0
    static let minter = Result { try TokenMinter(.es256A) }

    /// A signed token whose `aud` member is `audience` (JSON text), or has none when `nil`.
    static func token(aud audience: String?) throws -> String {
        var members = [
            #""iss":"https://api.simbee.io""#, #""sub":"cu_fixture1""#, #""exp":\#(Int(now) + 600)"#,
        ]
        if let audience { members.append(#""aud":\#(audience)"#) }
        return try minter.get().token(payload: "{" + members.joined(separator: ",") + "}")
    }

    static func verifier(_ policy: ClaimsPolicy) throws -> JWTVerifier {
        var policy = policy
        policy.clock = TestSupport.pinnedClock(now)
        return try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
    }

    /// `aud` JSON texts and whether a verifier for `cl_fixture` accepts them.
    static let cases: [(aud: String, accepted: Bool)] = [
        (#""cl_fixture""#, true),
        (#"["cl_fixture"]"#, true),
        (#"["other","cl_fixture"]"#, true),
        (#"["cl_fixture","other"]"#, true),
        // Near misses: one character more, one fewer, a space, case, and escapes that decode to
        // something else.
        (#""cl_fixture2""#, false),
        (#""cl_fixtur""#, false),
        (#""cl_fixture ""#, false),
        (#"" cl_fixture""#, false),
        (#""CL_FIXTURE""#, false),
        (#""cl_fixture\u0000""#, false),
        (#"["cl_fixture2"]"#, false),
        (#"["cl_fixtur"]"#, false),
        (#"["cl_fixture "]"#, false),
        (#"["other","cl_fixture2"]"#, false),
        (#""cl_fixture,other""#, false),
        (#""cl_fixture other""#, false),
    ]

    @Test("a verifier for cl_fixture accepts exactly its own audience", arguments: cases)
    func exactMatch(aud: String, accepted: Bool) async throws {
        let verifier = try Self.verifier(ClaimsPolicy(audiences: ["cl_fixture"]))
        await TestSupport.expect(try Self.token(aud: aud), verifier, accepted ? nil : .audienceMismatch, "aud \(aud)")
    }

    /// `é` precomposed (U+00E9) and decomposed (`e` + U+0301): canonically equivalent, and Swift's
    /// `==` on `String` calls them equal. An audience is an exact code point sequence.
    @Test("canonically equivalent audiences are different audiences, as a string and in an array")
    func canonicalEquivalence() async throws {
        let precomposed = "cl_caf\u{E9}"
        let decomposed = "cl_cafe\u{301}"
        #expect(precomposed == decomposed, "the premise: Swift's String equality is canonical")
        for (configured, presented) in [(precomposed, decomposed), (decomposed, precomposed)] {
            let verifier = try Self.verifier(ClaimsPolicy(audiences: [configured]))
            let escaped = presented.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()
            await TestSupport.expect(try Self.token(aud: "\"\(escaped)\""), verifier, .audienceMismatch, "string")
            await TestSupport.expect(try Self.token(aud: "[\"\(escaped)\"]"), verifier, .audienceMismatch, "array")
            await TestSupport.expect(try Self.token(aud: "\"\(configured)\""), verifier, nil, "the same bytes")
            await TestSupport.expect(try Self.token(aud: "[\"x\",\"\(configured)\"]"), verifier, nil, "the same bytes")
        }
    }

    @Test("no audience configured: a token without aud passes, any present aud is audience_mismatch")
    func noAudienceConfigured() async throws {
        let verifier = try Self.verifier(ClaimsPolicy())
        await TestSupport.expect(try Self.token(aud: nil), verifier, nil, "no aud")
        for aud in [#""https://other.example""#, #""cl_fixture""#, #"["cl_fixture"]"#, #"["a","b"]"#] {
            await TestSupport.expect(try Self.token(aud: aud), verifier, .audienceMismatch, "aud \(aud)")
        }
        // Malformed aud values stay invalid_claim, as with an audience configured.
        for aud in ["[]", "null", "42", #"["cl_fixture",1]"#] {
            await TestSupport.expect(try Self.token(aud: aud), verifier, .invalidClaim, "aud \(aud)")
        }
    }

    @Test("skipsAudienceCheck: any well-formed aud passes, and only without configured audiences")
    func skippingTheCheck() async throws {
        let verifier = try Self.verifier(ClaimsPolicy(skipsAudienceCheck: true))
        await TestSupport.expect(try Self.token(aud: nil), verifier, nil, "no aud")
        await TestSupport.expect(try Self.token(aud: #""https://other.example""#), verifier, nil, "string")
        await TestSupport.expect(try Self.token(aud: #"["a","b"]"#), verifier, nil, "array")

        let contradiction = #expect(throws: JWTError.self) {
            try Self.verifier(ClaimsPolicy(audiences: ["cl_fixture"], skipsAudienceCheck: true))
        }
        #expect(contradiction?.code == .invalidConfiguration)
    }

    @Test("with an audience configured, a token without aud is missing_claim")
    func audienceRequired() async throws {
        let verifier = try Self.verifier(ClaimsPolicy(audiences: ["cl_fixture"]))
        await TestSupport.expect(try Self.token(aud: nil), verifier, .missingClaim)
    }

    @Test("the Simbee preset names the client id: another client's token is refused, its own passes")
    func simbeePreset() async throws {
        var configuration = JWTVerifier.Configuration.simbee(clientID: "cl_fixture")
        configuration.claims.clock = TestSupport.pinnedClock(Self.now)
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: configuration)
        await TestSupport.expect(try Self.token(aud: #""cl_fixture""#), verifier, nil)
        await TestSupport.expect(try Self.token(aud: #""cl_other""#), verifier, .audienceMismatch)
        await TestSupport.expect(try Self.token(aud: nil), verifier, .missingClaim)
    }
}
