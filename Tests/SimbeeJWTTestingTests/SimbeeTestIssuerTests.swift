import Foundation
import SimbeeJWT
import SimbeeJWTTesting
import Testing

/// Tokens minted by the kit, verified by the library's real verifier with keys fetched over HTTP
/// from the kit's server on 127.0.0.1.
@Suite("Test issuer: minting and end-to-end verification")
struct SimbeeTestIssuerTests {
    /// The default verifier configuration, with the kit's default audience as the accepted one.
    static let defaultAudience = JWTVerifier.Configuration(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]))

    @Test(
        "valid ES256, EdDSA and Ed25519 tokens verify through the kit's server",
        arguments: [JWTAlgorithm.es256, .edDSA, .ed25519]
    )
    func validTokensVerify(algorithm: JWTAlgorithm) async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [algorithm])
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try server.verifier()

        let verified = try await verifier.verify(try issuer.token(TestClaims(scopes: ["read", "write"])))
        #expect(verified.header.algorithm == algorithm)
        #expect(verified.header.keyID == issuer.currentKey(for: algorithm)?.keyID)
        #expect(verified.header.type == "JWT")
        #expect(verified.claims.issuer == "https://api.simbee.io")
        #expect(verified.claims.subject == "cu_test")
        #expect(verified.claims.audience == ["cl_test"])
        #expect(verified.claims.scopes == ["read", "write"])
        #expect(verified.claims.id?.hasPrefix("jti_") == true)
        let expiration = try #require(verified.claims.expiration)
        #expect(expiration.timeIntervalSince(try #require(verified.claims.issuedAt)) == 900)
        #expect(server.requestCount == 1)
        await server.shutdown()
    }

    @Test("the default issuer signs ES256 and EdDSA, each with its own current key")
    func defaultIssuer() async throws {
        let issuer = try SimbeeTestIssuer()
        #expect(issuer.issuer == "https://api.simbee.io")
        #expect(issuer.defaultAlgorithm == .es256)
        #expect(issuer.keys.map(\.algorithm) == [.es256, .edDSA])
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try server.verifier()
        #expect(try await verifier.verify(try issuer.token()).header.algorithm == .es256)
        #expect(try await verifier.verify(try issuer.token(algorithm: .edDSA)).header.algorithm == .edDSA)
        #expect(throws: TestKitError.self) { try issuer.token(algorithm: .ed25519) }  // no such key
        #expect(server.requestCount == 1)
        await server.shutdown()
    }

    @Test("JWTVerifier.simbee(clientID:keys:) accepts the kit's tokens as it would Simbee's")
    func productionOneLiner() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try JWTVerifier.simbee(clientID: "cl_shop", keys: try server.keySource())
        let token = try issuer.token(TestClaims(audience: ["cl_shop"]))
        #expect(try await verifier.verify(token).claims.audience == ["cl_shop"])
        await expectRefusal(try issuer.token(), verifier, .audienceMismatch)  // cl_test is not cl_shop
        await server.shutdown()
    }

    // MARK: Presets

    /// One way to make a refused token, and the code the verifier must answer.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: JWTError.Code
        let mint: @Sendable (SimbeeTestIssuer) throws -> String
        var testDescription: String { "\(name) → \(expected.name)" }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "expired", expected: .expired) { try $0.token(.expired) },
        Refusal(name: "not yet valid", expected: .notYetValid) { try $0.token(.notYetValid) },
        Refusal(name: "wrong audience", expected: .audienceMismatch) { try $0.token(.wrongAudience) },
        Refusal(name: "wrong issuer", expected: .issuerMismatch) { try $0.token(.wrongIssuer) },
        Refusal(name: "missing sub", expected: .missingClaim) { try $0.token(.missing("sub")) },
        Refusal(name: "missing exp", expected: .missingClaim) { try $0.token(.missing("exp")) },
        Refusal(name: "missing aud", expected: .missingClaim) { try $0.token(.missing("aud")) },
        Refusal(name: "missing iss", expected: .missingClaim) { try $0.token(.missing("iss")) },
        Refusal(name: "EdDSA expired", expected: .expired) { try $0.token(.expired, algorithm: .edDSA) },
        Refusal(name: "exp of the wrong type", expected: .invalidClaim) {
            try $0.token(TestClaims().with("exp", "tomorrow"))
        },
        Refusal(name: "unknown kid", expected: .unknownKey) { try $0.token(header: .unknownKeyID) },
        Refusal(name: "no kid", expected: .unknownKey) { try $0.token(header: .withoutKeyID) },
        Refusal(name: "alg none", expected: .unsupportedAlgorithm) { try $0.token(header: .algorithm("none")) },
        Refusal(name: "alg HS256", expected: .unsupportedAlgorithm) { try $0.token(header: .algorithm("HS256")) },
        Refusal(name: "crit", expected: .unsupportedCriticalHeader) {
            var header = TestHeader()
            header.extra["crit"] = ["exp"]
            return try $0.token(header: header)
        },
        Refusal(name: "signed by a key the issuer never published", expected: .unknownKey) {
            try $0.token(signedWith: try TestSigningKey(.es256))
        },
        Refusal(name: "a published kid, signed by another key", expected: .invalidSignature) { issuer in
            let published = try #require(issuer.currentKey(for: .es256))
            return try issuer.token(header: .keyID(published.keyID), signedWith: try TestSigningKey(.es256))
        },
        Refusal(name: "an ES256 header on the Ed25519 key", expected: .keyMismatch) { issuer in
            try issuer.token(algorithm: .edDSA, header: .algorithm("ES256"))
        },
        Refusal(name: "payload changed after signing", expected: .invalidSignature) { issuer in
            let token = try issuer.token()
            let other = try issuer.token(.wrongAudience).split(separator: ".")[1]
            let parts = token.split(separator: ".")
            return [parts[0], other, parts[2]].joined(separator: ".")
        },
    ]

    @Test("each preset is refused with its own error code", arguments: refusals)
    func presetIsRefused(_ refusal: Refusal) async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try server.verifier()
        // A valid token first, so the key set is loaded and the refusal is about the token alone.
        _ = try await verifier.verify(try issuer.token())
        await expectRefusal(try refusal.mint(issuer), verifier, refusal.expected)
        await server.shutdown()
    }

    @Test("presets are outside every leeway a verifier accepts (300 s)")
    func presetsBeyondMaximumLeeway() async throws {
        let issuer = try SimbeeTestIssuer()
        let keys = try JWKSet(json: issuer.jwks)
        var policy = ClaimsPolicy(issuer: issuer.issuer, audiences: [TestClaims.defaultAudience])
        policy.leeway = .seconds(300)
        let verifier = try JWTVerifier(keys: keys, configuration: .init(claims: policy))
        await expectRefusal(try issuer.token(.expired), verifier, .expired)
        await expectRefusal(try issuer.token(.notYetValid), verifier, .notYetValid)
        _ = try await verifier.verify(try issuer.token(.valid))
    }

    // MARK: Claims and header encoding

    struct Payload: Decodable {
        var iss: String
        var sub: String?
        var aud: [String]
        var iat: Int
        var exp: Int
        var nbf: Int?
        var org: String?
        var limits: [String: Int]?
        var flags: [Bool]?
        var ratio: Double?
        var note: String?
    }

    @Test("claims are written as the registered types, with custom claims the verifier hands back")
    func claimsEncoding() async throws {
        let issuer = try SimbeeTestIssuer(issuer: "https://issuer.example")
        let keys = try JWKSet(json: issuer.jwks)
        var policy = ClaimsPolicy(issuer: "https://issuer.example", audiences: ["cl_b"])
        policy.requiredClaims = ["sub", "org"]
        let verifier = try JWTVerifier(keys: keys, configuration: .init(claims: policy))

        let start = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970) - 10.75)
        var claims = TestClaims(subject: "cu_42", audience: ["cl_a", "cl_b"], issuedAt: start, lifetime: .seconds(600))
        claims.notBefore = start
        claims.custom = [
            "org": "acme",
            "limits": ["daily": 100, "burst": 5],
            "flags": [true, false],
            "ratio": 0.25,
            "note": "quote \" backslash \\ newline \n tab \t nul \u{0} é 😀",
        ]
        let verified = try await verifier.verify(try issuer.token(claims))
        let payload = try verified.decodeClaims(as: Payload.self)
        #expect(payload.iss == "https://issuer.example")
        #expect(payload.sub == "cu_42")
        #expect(payload.aud == ["cl_a", "cl_b"])  // more than one audience: an array
        #expect(payload.iat == Int(start.timeIntervalSince1970.rounded(.down)))  // whole seconds
        #expect(payload.nbf == payload.iat)
        #expect(payload.exp == payload.iat + 600)
        #expect(payload.org == "acme")
        #expect(payload.limits == ["daily": 100, "burst": 5])
        #expect(payload.flags == [true, false])
        #expect(payload.ratio == 0.25)
        #expect(payload.note == "quote \" backslash \\ newline \n tab \t nul \u{0} é 😀")
        // Registered claims first, in a fixed order, then custom ones by name.
        let text = String(decoding: verified.payload, as: UTF8.self)
        #expect(text.hasPrefix(#"{"iss":"https://issuer.example","sub":"cu_42","aud":["cl_a","cl_b"],"iat":"#))
        #expect(text.contains(#""flags":[true,false],"limits":{"burst":5,"daily":100},"note":"#))
    }

    @Test("a single audience is a string; omitted and replaced claims leave no duplicates")
    func omittedAndReplacedClaims() async throws {
        let issuer = try SimbeeTestIssuer()
        let verifier = try JWTVerifier(keys: try JWKSet(json: issuer.jwks), configuration: Self.defaultAudience)
        var claims = TestClaims.missing("jti", "iat").with("sub", "cu_custom")
        claims.issuer = "https://other.example"
        let verified = try await verifier.verify(try issuer.token(claims))
        let text = String(decoding: verified.payload, as: UTF8.self)
        #expect(text.hasPrefix(#"{"iss":"https://other.example","sub":"cu_custom","aud":"cl_test","exp":"#))
        #expect(!text.contains("jti") && !text.contains("iat"))
        #expect(verified.claims.subject == "cu_custom")

        // `with` takes a name back out of `omitted`.
        let restored = try await verifier.verify(try issuer.token(TestClaims.missing("sub").with("sub", "cu_back")))
        #expect(restored.claims.subject == "cu_back")
    }

    @Test("header overrides change what the header says; the signing key stays the issuer's")
    func headerOverrides() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.edDSA])
        let keys = try JWKSet(json: issuer.jwks)
        var header = TestHeader()
        header.type = "at+jwt"
        header.extra["x-test"] = 1
        var policy = ClaimsPolicy(audiences: [TestClaims.defaultAudience])
        policy.acceptedTypes = ["at+jwt"]
        let verifier = try JWTVerifier(keys: keys, configuration: .init(claims: policy))
        let verified = try await verifier.verify(try issuer.token(header: header))
        #expect(verified.header.type == "at+jwt")
        let headerText = try decodedSegment(try issuer.token(header: header), 0)
        let kid = try #require(issuer.currentKey(for: .edDSA)).keyID
        #expect(headerText == #"{"alg":"EdDSA","kid":"\#(kid)","typ":"at+jwt","x-test":1}"#)

        header.type = nil
        await expectRefusal(try issuer.token(header: header), verifier, .missingClaim)  // typ required
        let untyped = try JWTVerifier(keys: keys, configuration: Self.defaultAudience)
        _ = try await untyped.verify(try issuer.token(header: header))
    }

    @Test("a claim value JSON cannot express is a setup error, not a token")
    func nonFiniteNumberThrows() throws {
        let issuer = try SimbeeTestIssuer()
        #expect(throws: TestKitError.self) { try issuer.token(TestClaims().with("ratio", .number(.infinity))) }
        #expect(throws: TestKitError.self) { try issuer.token(TestClaims().with("ratio", .number(.nan))) }
    }

    // MARK: Signatures

    @Test("signatures are 64 bytes; ES256 ones are randomized, Ed25519 ones deterministic (RFC 8032)")
    func signatureShape() throws {
        let issuer = try SimbeeTestIssuer()
        let claims = TestClaims()
        let es256 = try (0..<2).map { _ in try issuer.token(claims) }
        let edDSA = try (0..<2).map { _ in try issuer.token(claims, algorithm: .edDSA) }
        for token in es256 + edDSA {
            #expect(try decodedSegmentBytes(token, 2).count == 64)
        }
        #expect(es256[0].split(separator: ".")[0...1] == es256[1].split(separator: ".")[0...1])
        #expect(es256[0] != es256[1])  // a fresh nonce per ECDSA signature
        #expect(edDSA[0] == edDSA[1])
    }

    @Test("the JWK Set holds exactly the public halves, in the form the strict importer accepts")
    func publishedKeySet() throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256, .edDSA, .ed25519])
        let keySet = try JWKSet(json: issuer.jwks)
        #expect(keySet.skippedKeys.isEmpty)
        let document = try JSONSerialization.jsonObject(with: Data(issuer.jwks)) as! [String: [[String: String]]]
        let jwks = try #require(document["keys"])
        #expect(jwks.map { $0["kid"] } == issuer.keys.map(\.keyID))
        #expect(jwks.map { $0["alg"] } == ["ES256", "EdDSA", "Ed25519"])
        #expect(jwks.map { $0["kty"] } == ["EC", "OKP", "OKP"])
        #expect(jwks.allSatisfy { $0["use"] == "sig" && $0["d"] == nil })
        #expect(jwks[0]["crv"] == "P-256" && jwks[0]["x"]?.count == 43 && jwks[0]["y"]?.count == 43)
        #expect(jwks[1]["crv"] == "Ed25519" && jwks[1]["x"]?.count == 43 && jwks[1]["y"] == nil)
        #expect(Set(issuer.keys.map(\.keyID)).count == 3)
        #expect(issuer.keys[0].keyID.hasPrefix("es256-"))
    }

    @Test("tokens minted concurrently from one issuer all verify")
    func concurrentMinting() async throws {
        let issuer = try SimbeeTestIssuer()
        let verifier = try JWTVerifier(keys: try JWKSet(json: issuer.jwks), configuration: Self.defaultAudience)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let algorithm: JWTAlgorithm = index.isMultiple(of: 2) ? .es256 : .edDSA
                    guard let token = try? issuer.token(algorithm: algorithm) else { return false }
                    return (try? await verifier.verify(token)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count == 200 && outcomes.allSatisfy { $0 })
    }

    @Test("setup errors: no algorithms, an empty issuer, an empty or duplicate kid")
    func setupErrors() throws {
        #expect(throws: TestKitError.self) { try SimbeeTestIssuer(algorithms: []) }
        #expect(throws: TestKitError.self) { try SimbeeTestIssuer(issuer: "") }
        #expect(throws: TestKitError.self) { try TestSigningKey(.es256, keyID: "") }
        let issuer = try SimbeeTestIssuer()
        let kid = issuer.keys[0].keyID
        #expect(throws: TestKitError.self) { try issuer.addKey(.edDSA, keyID: kid) }
        #expect(issuer.keys.count == 2)
    }
}

/// Expects `verify` to refuse `token` with exactly `expected`.
func expectRefusal(
    _ token: String,
    _ verifier: JWTVerifier,
    _ expected: JWTError.Code,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        _ = try await verifier.verify(token)
        Issue.record("accepted; expected \(expected.name)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == expected, "\(error)", sourceLocation: sourceLocation)
    }
}

/// The bytes of a token's segment `index`, decoded with Foundation's base64 (an independent decoder).
func decodedSegmentBytes(_ token: String, _ index: Int) throws -> [UInt8] {
    var text = String(token.split(separator: ".", omittingEmptySubsequences: false)[index])
    #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
    text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    text += String(repeating: "=", count: (4 - text.count % 4) % 4)
    return Array(try #require(Data(base64Encoded: text)))
}

/// A token's segment `index` as UTF-8 text.
func decodedSegment(_ token: String, _ index: Int) throws -> String {
    String(decoding: try decodedSegmentBytes(token, index), as: UTF8.self)
}
