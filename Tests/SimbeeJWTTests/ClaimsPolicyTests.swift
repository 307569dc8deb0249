import Foundation
import Testing
@_spi(Testing) @testable import SimbeeJWT

/// The claims layer on its own: parsed payload objects through `ClaimsValidation`, so each rule is
/// tested without minting a token. End-to-end coverage with signed tokens is in the fixture tests.
@Suite("Claims policy")
struct ClaimsPolicyTests {
    static let now: Double = 1_796_000_000

    private func payload(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    private func header(_ text: String = #"{"alg":"ES256","kid":"k"}"#) throws -> JOSEHeader {
        try JOSEHeader(decoded: Array(text.utf8))
    }

    private func policy(_ configure: (inout ClaimsPolicy) -> Void = { _ in }) -> ClaimsPolicy {
        var policy = ClaimsPolicy()
        policy.clock = TestSupport.pinnedClock(Self.now)
        configure(&policy)
        return policy
    }

    private func outcome(_ payloadText: String, header headerText: String = #"{"alg":"ES256","kid":"k"}"#, _ policy: ClaimsPolicy) throws -> String {
        let object = payload(payloadText)
        let parsedHeader = try header(headerText)
        do {
            _ = try ClaimsValidation.validate(payload: object, headerType: parsedHeader.type, policy: policy)
            return "valid"
        } catch {
            return error.code.name
        }
    }

    @Test("exp is required by default and can be made optional")
    func expirationRequired() throws {
        #expect(try outcome(#"{"sub":"x"}"#, policy()) == "missing_claim")
        #expect(try outcome(#"{"sub":"x"}"#, policy { $0.requiresExpiration = false }) == "valid")
        // Optional does not mean unchecked: a present exp is still enforced.
        #expect(try outcome(#"{"exp":1}"#, policy { $0.requiresExpiration = false }) == "expired")
    }

    @Test("leeway set after the policy is made is the one applied to exp and nbf")
    func leewayChangedLater() throws {
        let expiredBy30 = #"{"exp":\#(Int(Self.now) - 30)}"#
        let notBeforeIn30 = #"{"exp":\#(Int(Self.now) + 900),"nbf":\#(Int(Self.now) + 30)}"#
        // The default 60 s covers both; 10 s covers neither; back to 45 s covers both again.
        #expect(try outcome(expiredBy30, policy()) == "valid")
        #expect(try outcome(expiredBy30, policy { $0.leeway = .seconds(10) }) == "expired")
        #expect(try outcome(notBeforeIn30, policy { $0.leeway = .seconds(10) }) == "not_yet_valid")
        #expect(try outcome(notBeforeIn30, policy { $0.leeway = .milliseconds(29_999) }) == "not_yet_valid")
        #expect(try outcome(notBeforeIn30, policy { $0.leeway = .milliseconds(30_000) }) == "valid")
        let changedTwice = policy {
            $0.leeway = .seconds(10)
            $0.leeway = .seconds(45)
        }
        #expect(try outcome(expiredBy30, changedTwice) == "valid")
    }

    @Test("time claims must be numbers in range, whatever their name", arguments: ["exp", "nbf", "iat"])
    func timeClaimTypes(_ claim: String) throws {
        let exp = claim == "exp" ? "" : #""exp":1796000600,"#
        for bad in [#""1796000000""#, "true", "null", "[1]", "{}", "-1", "253402300800", "1e400", "-0.5"] {
            #expect(try outcome("{\(exp)\"\(claim)\":\(bad)}", policy()) == "invalid_claim", "\(claim): \(bad)")
        }
    }

    @Test("iss: exact, byte-for-byte match when configured; missing is refused")
    func issuer() throws {
        let simbee = policy { $0.issuer = "https://api.simbee.io" }
        #expect(try outcome(#"{"exp":1796000600,"iss":"https://api.simbee.io"}"#, simbee) == "valid")
        #expect(try outcome(#"{"exp":1796000600,"iss":"https://api.simbee.io/"}"#, simbee) == "issuer_mismatch")
        #expect(try outcome(#"{"exp":1796000600,"iss":"HTTPS://api.simbee.io"}"#, simbee) == "issuer_mismatch")
        #expect(try outcome(#"{"exp":1796000600}"#, simbee) == "missing_claim")
        #expect(try outcome(#"{"exp":1796000600,"iss":["https://api.simbee.io"]}"#, simbee) == "invalid_claim")
        // Not configured: any string iss passes, a non-string one is still a type error.
        #expect(try outcome(#"{"exp":1796000600,"iss":"anyone"}"#, policy()) == "valid")
        #expect(try outcome(#"{"exp":1796000600,"iss":1}"#, policy()) == "invalid_claim")
    }

    @Test("aud: string or non-empty array of strings; any configured audience matches exactly")
    func audience() throws {
        let two = policy { $0.audiences = ["cl_a", "cl_b"] }
        #expect(try outcome(#"{"exp":1796000600,"aud":"cl_b"}"#, two) == "valid")
        #expect(try outcome(#"{"exp":1796000600,"aud":["x","cl_a"]}"#, two) == "valid")
        #expect(try outcome(#"{"exp":1796000600,"aud":"cl_a cl_b"}"#, two) == "audience_mismatch")
        #expect(try outcome(#"{"exp":1796000600,"aud":"cl_"}"#, two) == "audience_mismatch")
        #expect(try outcome(#"{"exp":1796000600,"aud":"CL_A"}"#, two) == "audience_mismatch")
        #expect(try outcome(#"{"exp":1796000600,"aud":"cl_a,cl_b"}"#, two) == "audience_mismatch")
        #expect(try outcome(#"{"exp":1796000600}"#, two) == "missing_claim")
        for bad in ["[]", "1", "null", "[[\"cl_a\"]]", "[\"cl_a\",1]", "{\"cl_a\":1}"] {
            #expect(try outcome("{\"exp\":1796000600,\"aud\":\(bad)}", two) == "invalid_claim", "\(bad)")
        }
    }

    @Test("the reported aud is the token's, whichever configured audience it matched, however often they change")
    func reportedAudience() throws {
        func claims(_ aud: String, _ policy: ClaimsPolicy) throws -> RegisteredClaims {
            let bytes = payload(#"{"exp":1796000600,"iss":"i","aud":\#(aud)}"#)
            let parsedHeader = try header()
            return try ClaimsValidation.validate(payload: bytes, headerType: parsedHeader.type, policy: policy)
        }
        var changing = policy { $0.audiences = ["cl_a"] }
        changing.audiences = ["cl_b", "cl_c"]
        changing.audiences.append("cl_d")
        #expect(try claims(#""cl_c""#, changing).audience == ["cl_c"])
        #expect(try claims(#""cl_d""#, changing).audience == ["cl_d"])
        #expect(try claims(#"["x","cl_b"]"#, changing).audience == ["x", "cl_b"])
        #expect(try outcome(#"{"exp":1796000600,"aud":"cl_a"}"#, changing) == "audience_mismatch")
        changing.audiences = []
        #expect(try outcome(#"{"exp":1796000600,"aud":"cl_a"}"#, changing) == "audience_mismatch")
        changing.skipsAudienceCheck = true
        #expect(try claims(#""cl_a""#, changing).audience == ["cl_a"])
        let issuer = policy {
            $0.issuer = "i"
            $0.audiences = ["z"]
        }
        #expect(try claims(#""z""#, issuer).issuer == "i")
        #expect(try outcome(#"{"exp":1796000600,"iss":"j"}"#, issuer) == "issuer_mismatch")
    }

    @Test("required claims: absent → missing_claim; null or empty → invalid_claim; sub must be a string")
    func requiredClaims() throws {
        let needsSub = policy { $0.requiredClaims = ["sub", "org"] }
        #expect(try outcome(#"{"exp":1796000600,"sub":"cu_1","org":{"id":1}}"#, needsSub) == "valid")
        #expect(try outcome(#"{"exp":1796000600,"org":1}"#, needsSub) == "missing_claim")
        #expect(try outcome(#"{"exp":1796000600,"sub":"","org":1}"#, needsSub) == "invalid_claim")
        #expect(try outcome(#"{"exp":1796000600,"sub":null,"org":1}"#, needsSub) == "invalid_claim")
        #expect(try outcome(#"{"exp":1796000600,"sub":"cu_1"}"#, needsSub) == "missing_claim")
        #expect(try outcome(#"{"exp":1796000600,"sub":"cu_1","org":""}"#, needsSub) == "invalid_claim")
        // The policy keeps each name packed beside the list: changed in place, both must follow.
        var changing = needsSub
        changing.requiredClaims.append("jti")
        #expect(try outcome(#"{"exp":1796000600,"sub":"cu_1","org":1}"#, changing) == "missing_claim")
        #expect(try outcome(#"{"exp":1796000600,"sub":"cu_1","org":1,"jti":"j"}"#, changing) == "valid")
        changing.requiredClaims[0] = "scope"
        #expect(try outcome(#"{"exp":1796000600,"org":1,"jti":"j","scope":"read"}"#, changing) == "valid")
        #expect(try outcome(#"{"exp":1796000600,"sub":"cu_1","org":1,"jti":"j"}"#, changing) == "missing_claim")
        changing.requiredClaims = []
        #expect(try outcome(#"{"exp":1796000600}"#, changing) == "valid")
    }

    @Test("typ: checked only when configured; case-insensitive with optional application/ prefix")
    func acceptedTypes() throws {
        let atJWT = policy { $0.acceptedTypes = ["at+jwt"] }
        let body = #"{"exp":1796000600}"#
        #expect(try outcome(body, header: #"{"alg":"ES256","typ":"at+jwt"}"#, atJWT) == "valid")
        #expect(try outcome(body, header: #"{"alg":"ES256","typ":"Application/AT+JWT"}"#, atJWT) == "valid")
        #expect(try outcome(body, header: #"{"alg":"ES256","typ":"JWT"}"#, atJWT) == "invalid_claim")
        #expect(try outcome(body, header: #"{"alg":"ES256","typ":"application/at+jwt+x"}"#, atJWT) == "invalid_claim")
        #expect(try outcome(body, header: #"{"alg":"ES256"}"#, atJWT) == "missing_claim")
        #expect(try outcome(body, header: #"{"alg":"ES256","typ":"anything"}"#, policy()) == "valid")
    }

    @Test("scopes come from scope (space-separated), scopes and scp, without duplicates")
    func scopes() throws {
        let claims = try RegisteredClaims(payload: payload(#"{"scope":"read  write","scopes":["admin","read"],"scp":"extra"}"#))
        #expect(claims.scopes == ["read", "write", "admin", "extra"])
        #expect(claims.hasScope("admin") && !claims.hasScope("adm"))
        let array = try RegisteredClaims(payload: payload(#"{"scp":["a","b"]}"#))
        #expect(array.scopes == ["a", "b"])
        for bad in [#"{"scope":["read"]}"#, #"{"scopes":"read"}"#, #"{"scopes":[1]}"#, #"{"scp":7}"#] {
            #expect(throws: JWTError.self, "\(bad)") { try RegisteredClaims(payload: payload(bad)) }
        }
    }

    @Test("out-of-range configuration is refused, never trapped", arguments: [
        { (p: inout ClaimsPolicy) in p.leeway = .seconds(-1) },
        { (p: inout ClaimsPolicy) in p.leeway = .seconds(301) },
        { (p: inout ClaimsPolicy) in p.issuer = "" },
        { (p: inout ClaimsPolicy) in p.audiences = ["cl_a", ""] },
        { (p: inout ClaimsPolicy) in p.requiredClaims = [""] },
        { (p: inout ClaimsPolicy) in p.acceptedTypes = [""] },
        { (p: inout ClaimsPolicy) in p.acceptedTypes = ["jwt", "application/"] },
        { (p: inout ClaimsPolicy) in p.acceptedTypes = ["APPLICATION/"] },
    ] as [@Sendable (inout ClaimsPolicy) -> Void])
    func invalidPolicy(_ configure: @Sendable (inout ClaimsPolicy) -> Void) throws {
        let keys = try TestSupport.fixtureKeySet()
        var claims = ClaimsPolicy()
        configure(&claims)
        let error = #expect(throws: JWTError.self) { try JWTVerifier(keys: keys, configuration: .init(claims: claims)) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("verifier limits are validated: empty allow-list and out-of-range size limits")
    func invalidVerifierConfiguration() throws {
        let keys = try TestSupport.fixtureKeySet()
        for configuration in [
            JWTVerifier.Configuration(algorithms: []),
            JWTVerifier.Configuration(maxTokenBytes: 63),
            JWTVerifier.Configuration(maxTokenBytes: (1 << 20) + 1),
        ] {
            let error = #expect(throws: JWTError.self) { try JWTVerifier(keys: keys, configuration: configuration) }
            #expect(error?.code == .invalidConfiguration)
        }
        #expect(throws: Never.self) { try JWTVerifier(keys: keys, configuration: .init(maxTokenBytes: 64)) }
        #expect(throws: Never.self) { try JWTVerifier(keys: keys, configuration: .init(maxTokenBytes: 1 << 20)) }
    }

    @Test("the Simbee preset pins issuer, algorithms, audience and sub")
    func simbeePreset() {
        let configuration = JWTVerifier.Configuration.simbee(clientID: "cl_123")
        #expect(configuration.claims.issuer == "https://api.simbee.io")
        #expect(configuration.claims.audiences == ["cl_123"])
        #expect(configuration.claims.requiredClaims == ["sub"])
        #expect(Set(configuration.algorithms) == [.es256, .edDSA, .ed25519])
        #expect(configuration.requiresKeyID)
    }

    @Test("error messages never contain token bytes")
    func messagesDoNotEchoTokens() async throws {
        let manifest = try TestSupport.manifest()
        let verifier = try TestSupport.manifestVerifier(manifest)
        for fixture in manifest.cases where fixture.expect != "valid" {
            do {
                _ = try await verifier.verify(fixture.token)
            } catch {
                for segment in fixture.token.split(separator: ".") where segment.count >= 8 {
                    #expect(!error.message.contains(segment), "\(fixture.name)")
                    #expect(!error.description.contains(segment), "\(fixture.name)")
                }
                #expect(!error.message.contains("cu_fixture1"), "\(fixture.name)")
            }
        }
    }
}
