import Foundation
import NIOConcurrencyHelpers
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Claim rules of the app's own, checked inside verification, and typed custom claims.
@Suite("Claim rules and typed custom claims")
struct ClaimRuleTests {
    static let issuer = "https://issuer.example"

    /// A verifier over the test minter's key with `rules`, and a token over `payload`.
    static func outcome(_ payload: String, rules: [ClaimRule]) async throws -> String {
        let minter = try TokenMinter(.es256A)
        var policy = ClaimsPolicy(issuer: issuer)
        policy.requiresExpiration = false
        policy.rules = rules
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        return await TestSupport.outcome(verifier, try minter.token(payload: payload))
    }

    static func payload(_ members: String) -> String {
        #"{"iss":"\#(issuer)","sub":"cu_1"\#(members.isEmpty ? "" : "," + members)}"#
    }

    @Test("a rule that holds verifies; one that does not is invalid_claim naming the claim")
    func ruleOutcomes() async throws {
        let org = ClaimRule("org", as: String.self) { $0 == "acme" }
        #expect(try await Self.outcome(Self.payload(#""org":"acme""#), rules: [org]) == "valid")
        #expect(try await Self.outcome(Self.payload(#""org":"acme2""#), rules: [org]) == "invalid_claim")
        #expect(try await Self.outcome(Self.payload(#""org":"\u0061cme""#), rules: [org]) == "valid")
        #expect(try await Self.outcome(Self.payload(#""org":7"#), rules: [org]) == "invalid_claim")
        #expect(try await Self.outcome(Self.payload(""), rules: [org]) == "missing_claim")
        #expect(try await Self.outcome(Self.payload(#""ctx":{"org":"acme"}"#), rules: [org]) == "missing_claim")

        let tier = ClaimRule("tier", as: Int.self) { $0 >= 2 }
        #expect(try await Self.outcome(Self.payload(#""tier":2"#), rules: [tier]) == "valid")
        #expect(try await Self.outcome(Self.payload(#""tier":1"#), rules: [tier]) == "invalid_claim")
        #expect(try await Self.outcome(Self.payload(#""tier":"2""#), rules: [tier]) == "invalid_claim")
        let tenants = ClaimRule("tenants", as: [Int].self) { $0.contains(42) }
        #expect(try await Self.outcome(Self.payload(#""tenants":[7,42]"#), rules: [tenants]) == "valid")
        #expect(try await Self.outcome(Self.payload(#""tenants":[7]"#), rules: [tenants]) == "invalid_claim")
        // Every rule must hold, in order.
        #expect(try await Self.outcome(Self.payload(#""org":"acme","tier":1"#), rules: [org, tier]) == "invalid_claim")
    }

    @Test("a rule runs again on a verified-token cache hit: its verdict is never remembered")
    func ruleRunsOnCacheHits() async throws {
        let minter = try TokenMinter(.es256A)
        let allowed = NIOLockedValueBox(true)
        let calls = NIOLockedValueBox(0)
        var policy = ClaimsPolicy(issuer: Self.issuer)
        policy.requiresExpiration = false
        policy.rules = [
            ClaimRule("org", as: String.self) { org in
                calls.withLockedValue { $0 += 1 }
                return org == "acme" && allowed.withLockedValue { $0 }
            }
        ]
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        let cache = try #require(verifier.tokenCache)
        let token = try minter.token(payload: Self.payload(#""org":"acme""#))
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        // The near miss: with the verdict unchanged, the second verification is a cache hit, and the
        // rule was asked again.
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        #expect(cache.statistics.hits == 1)
        #expect(calls.withLockedValue { $0 } == 2)
        // The rule now refuses: so does the next verification of the cached token.
        allowed.withLockedValue { $0 = false }
        #expect(await TestSupport.outcome(verifier, token) == "invalid_claim")
        #expect(calls.withLockedValue { $0 } == 3)
    }

    @Test("the refusal names the claim and why, never its value")
    func refusalMessage() async throws {
        let minter = try TokenMinter(.es256A)
        var policy = ClaimsPolicy(issuer: Self.issuer)
        policy.requiresExpiration = false
        policy.rules = [
            ClaimRule("org", as: String.self) { $0 == "acme" }, ClaimRule("tier", as: Int.self) { _ in true },
        ]
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        let wrong = await TestSupport.refusal(try minter.token(payload: Self.payload(#""org":"evil-corp""#)), verifier)
        #expect(wrong?.message == "org does not satisfy its rule")
        let typed = await TestSupport.refusal(
            try minter.token(payload: Self.payload(#""org":"acme","tier":"secret-value""#)),
            verifier
        )
        #expect(typed?.message == "tier does not decode as Int")
        #expect(typed?.message.contains("secret") == false)
    }

    @Test("a rule naming no claim is an invalid configuration")
    func emptyClaimName() throws {
        var policy = ClaimsPolicy()
        policy.rules = [ClaimRule("", as: String.self) { _ in true }]
        #expect(throws: JWTError.self) {
            try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        }
    }

    @Test("decodeClaims: a payload that does not fit the type is invalid_claim with the path, no value")
    func typedClaims() async throws {
        struct Extra: Decodable {
            struct Plan: Decodable { let tier: Int }
            let org: String
            let plan: Plan
            let seats: [Int]
        }
        let minter = try TokenMinter(.es256A)
        var policy = ClaimsPolicy(issuer: Self.issuer)
        policy.requiresExpiration = false
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        func decode(_ members: String) async throws -> Result<Extra, JWTError> {
            let token = try await verifier.verify(try minter.token(payload: Self.payload(members)))
            return Result { () throws(JWTError) in try token.decodeClaims(as: Extra.self) }
        }
        let good = try await decode(#""org":"acme","plan":{"tier":3},"seats":[1,2]"#).get()
        #expect(good.org == "acme" && good.plan.tier == 3 && good.seats == [1, 2])
        let cases: [(String, String)] = [
            (#""plan":{"tier":3},"seats":[]"#, "org is missing"),
            (#""org":null,"plan":{"tier":3},"seats":[]"#, "org is null"),
            (#""org":"acme","plan":{"tier":"top-secret"},"seats":[]"#, "plan.tier is not Int"),
            (#""org":"acme","plan":{"tier":3},"seats":[1,"x"]"#, "seats[1] is not Int"),
        ]
        for (members, problem) in cases {
            guard case .failure(let error) = try await decode(members) else {
                Issue.record("decoded \(members)")
                continue
            }
            #expect(error.code == .invalidClaim)
            #expect(error.message == "claims do not decode as Extra: \(problem)", "\(members)")
            #expect(!error.message.contains("top-secret"))
        }
    }

    @Test("decodeClaims: a payload's member names in the path have invisible characters replaced")
    func invisibleNamesInPaths() async throws {
        struct Limits: Decodable { let limits: [String: Int] }
        let minter = try TokenMinter(.es256A)
        var policy = ClaimsPolicy(issuer: Self.issuer)
        policy.requiresExpiration = false
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        // A right-to-left override, a zero-width space, a line separator and a newline: each is a `?`.
        let payload = Self.payload(#""limits":{"\u202Eab\u200Bc\u2028d\ne":"x"}"#)
        let token = try await verifier.verify(try minter.token(payload: payload))
        let error = #expect(throws: JWTError.self) { try token.decodeClaims(as: Limits.self) }
        #expect(error?.message == "claims do not decode as Limits: limits.?ab?c?d?e is not Int")
        // The near miss: visible non-ASCII text is kept.
        let plain = try await verifier.verify(try minter.token(payload: Self.payload(#""limits":{"caf\u00e9":"x"}"#)))
        let kept = #expect(throws: JWTError.self) { try plain.decodeClaims(as: Limits.self) }
        #expect(kept?.message == "claims do not decode as Limits: limits.caf\u{E9} is not Int")
    }
}
