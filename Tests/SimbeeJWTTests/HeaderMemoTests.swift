import SimbeeJWTTesting
import Testing

@testable import SimbeeJWT

/// A verifier remembers the last few headers it parsed, by their exact base64url text. Remembering
/// must never change an answer: each token is still judged by its own header bytes and signature.
@Suite("Header memo")
struct HeaderMemoTests {
    @Test("more distinct headers than the memo holds, each verified again and again, all verify with their own key")
    func manyHeaders() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.edDSA])
        // kids differ in one byte, so their header segments differ in a byte or two.
        let keys = try (0..<(HeaderMemo.capacity + 3)).map { try issuer.addKey(.es256, keyID: "key-\($0)") }
        let verifier = try JWTVerifier(keys: try JWKSet(json: issuer.jwks), configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil))
        for round in 0..<3 {
            for key in keys.shuffled() {
                let verified = try await verifier.verify(try issuer.token(signedWith: key))
                #expect(verified.header.keyID == key.keyID, "round \(round)")
            }
        }
        // A header the memo holds does not vouch for another key's signature.
        var borrowed = TestHeader()
        borrowed.keyID = keys[1].keyID
        await TestSupport.expect(
            try issuer.token(header: borrowed, signedWith: keys[0]),
            verifier,
            .invalidSignature
        )
    }

    @Test("a refused header is refused every time; a remembered header still meets this verifier's allow-list")
    func refusalsAreNotRemembered() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256, .edDSA])
        let keys = try JWKSet(json: issuer.jwks)
        let verifier = try JWTVerifier(keys: keys, configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil))
        var critical = TestHeader()
        critical.extra["crit"] = .array([.string("exp")])
        for _ in 0..<3 {
            await TestSupport.expect(try issuer.token(header: critical), verifier, .unsupportedCriticalHeader)
        }
        // The memo belongs to one verifier; another with a narrower allow-list refuses the algorithm
        // of a header the first has already seen.
        let token = try issuer.token(algorithm: .edDSA)
        #expect(try await verifier.verify(token).header.algorithm == .edDSA)
        #expect(try await verifier.verify(try issuer.token(algorithm: .edDSA)).header.algorithm == .edDSA)
        let es256Only = try JWTVerifier(keys: keys, configuration: .init(algorithms: [.es256], claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil))
        await TestSupport.expect(token, es256Only, .algorithmNotAllowed)
        await TestSupport.expect(token, es256Only, .algorithmNotAllowed)
    }

    @Test("headers longer than the memo's bound are parsed each time and verify the same")
    func longHeaders() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256])
        let verifier = try JWTVerifier(keys: try JWKSet(json: issuer.jwks), configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]), tokenCache: nil))
        var long = TestHeader()
        long.extra["x5u"] = .string(String(repeating: "u", count: HeaderMemo.maxSegmentBytes))
        for _ in 0..<3 {
            #expect(try await verifier.verify(try issuer.token(header: long)).header.keyID != nil)
        }
        var longCritical = long
        longCritical.extra["crit"] = .array([.string("exp")])
        await TestSupport.expect(try issuer.token(header: longCritical), verifier, .unsupportedCriticalHeader)
    }

    /// `json` as a header segment, through `memo`; `parses` counts the segments actually parsed.
    private static func parsed(_ json: String, in memo: HeaderMemo, parses: inout Int) throws -> HeaderMemo.Parsed {
        let segment = Array(Base64URL.encode(Array(json.utf8)).utf8)
        return try segment.withUnsafeBufferPointer { bytes in
            try memo.header(of: bytes) { segment throws(JWTError) in
                parses += 1
                return try CompactJWS.withDecoded(segment, "header") { decoded throws(JWTError) in
                    try JOSEHeader(decoded: decoded)
                }
            }
        }
    }

    @Test("the memo resolves alg once, with the header, and remembers it: supported names exactly, others as none")
    func memoResolvesAlgorithm() throws {
        let memo = HeaderMemo()
        var parses = 0
        func algorithm(_ json: String) throws -> JWTAlgorithm? {
            try Self.parsed(json, in: memo, parses: &parses).algorithm
        }
        #expect(try algorithm(#"{"alg":"EdDSA","kid":"e"}"#) == .edDSA)
        #expect(try algorithm(#"{"alg":"EdDSA","kid":"e"}"#) == .edDSA)  // remembered
        #expect(try algorithm(#"{"alg":"ES256","kid":"e"}"#) == .es256)
        #expect(try algorithm(#"{"alg":"HS256","kid":"h"}"#) == nil)
        #expect(try algorithm(#"{"alg":"es256","kid":"l"}"#) == nil)  // names are case-sensitive
        #expect(parses == 4)
    }

    @Test("the memo answers with what parsing the same segment gives, and keeps at most its capacity")
    func memoDirectly() throws {
        let memo = HeaderMemo()
        var parses = 0
        func header(_ json: String) throws -> JOSEHeader { try Self.parsed(json, in: memo, parses: &parses).header }
        let names = (0..<(HeaderMemo.capacity + 1)).map { #"{"alg":"ES256","kid":"k\#($0)"}"# }
        for name in names.prefix(HeaderMemo.capacity) { _ = try header(name) }
        #expect(parses == HeaderMemo.capacity)
        for name in names.prefix(HeaderMemo.capacity) { #expect(try header(name).keyID != nil) }
        #expect(parses == HeaderMemo.capacity)  // all remembered
        #expect(try header(names[HeaderMemo.capacity]).keyID == "k\(HeaderMemo.capacity)")
        #expect(parses == HeaderMemo.capacity + 1)
        #expect(try header(names[0]).keyID == "k0")  // the oldest made room for it
        #expect(parses == HeaderMemo.capacity + 2)
        #expect(throws: JWTError.self) { try header(#"{"alg":"ES256","crit":["exp"]}"#) }
        #expect(throws: JWTError.self) { try header(#"{"alg":"ES256","crit":["exp"]}"#) }
        #expect(parses == HeaderMemo.capacity + 4)
    }
}
