import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Both sides of every limit the verifier enforces, and the order in which its checks run.
///
/// Each boundary is tested at the last accepted value and at the first refused one, so moving a
/// limit by one in either direction fails a test.
@Suite("Boundaries and verification order")
struct BoundaryTests {
    // MARK: Token size

    @Test("token size: exactly 16384 bytes is not token_too_large, 16385 is")
    func defaultSizeLimit() async throws {
        #expect(JWTVerifier.Configuration.defaultMaxTokenBytes == 16_384)
        let verifier = try Edge.verifier()
        let atLimit = try Edge.token(ofLength: 16_384)
        let overLimit = try Edge.token(ofLength: 16_385)
        #expect(atLimit.utf8.count == 16_384)
        #expect(overLimit.utf8.count == 16_385)
        // At the limit the token is parsed through to the signature (garbage there).
        await TestSupport.expect(atLimit, verifier, .invalidSignature)
        await TestSupport.expect(overLimit, verifier, .tokenTooLarge)
        // Multi-byte characters count as bytes, not characters: 16,383 ASCII bytes + "é" (2 bytes).
        await TestSupport.expect(String(repeating: "A", count: 16_383) + "é", verifier, .tokenTooLarge)
        await TestSupport.expect(String(repeating: "A", count: 16_382) + "é", verifier, .malformed)
    }

    @Test("token size: a configured limit is exact in both directions")
    func configuredSizeLimit() async throws {
        let token = try Edge.fixture("es256-valid")
        let length = token.utf8.count
        await TestSupport.expect(token, try Edge.verifier { $0.maxTokenBytes = length }, nil)
        await TestSupport.expect(token, try Edge.verifier { $0.maxTokenBytes = length - 1 }, .tokenTooLarge)
        // A larger configured limit lets a validly signed 27 KB token through.
        let large = try Edge.fixture("too-large")
        await TestSupport.expect(large, try Edge.verifier(), .tokenTooLarge)
        await TestSupport.expect(large, try Edge.verifier { $0.maxTokenBytes = large.utf8.count }, nil)
        await TestSupport.expect(large, try Edge.verifier { $0.maxTokenBytes = large.utf8.count - 1 }, .tokenTooLarge)
        // The configurable range itself: 64 B … 1 MiB.
        for (limit, accepted) in [
            (64, true), (63, false), (1 << 20, true), ((1 << 20) + 1, false), (0, false), (-1, false),
        ] {
            let keys = try TestSupport.fixtureKeySet()
            do {
                _ = try JWTVerifier(keys: keys, configuration: .init(maxTokenBytes: limit))
                #expect(accepted, "maxTokenBytes \(limit) should be refused")
            } catch {
                #expect(!accepted && error.code == .invalidConfiguration, "maxTokenBytes \(limit): \(error)")
            }
        }
    }

    // MARK: Time

    @Test("exp leeway: valid at exp + leeway − 1 ms, expired at exp + leeway")
    func expirationLeeway() async throws {
        let token = try Edge.fixture("es256-valid")
        let exp = try Edge.numericClaim("exp", of: token)
        #expect(exp == 1_796_000_840)
        await TestSupport.expect(token, try Edge.verifier(clock: exp + 60 - 0.001), nil)
        await TestSupport.expect(token, try Edge.verifier(clock: exp + 60), .expired)
        // Leeway 0: valid 1 ms before exp, expired at exp itself (RFC 7519 §4.1.4: "on or after").
        await TestSupport.expect(token, try Edge.verifier(clock: exp - 0.001, leeway: .zero), nil)
        await TestSupport.expect(token, try Edge.verifier(clock: exp, leeway: .zero), .expired)
        // Leeway 300 s, the maximum.
        await TestSupport.expect(token, try Edge.verifier(clock: exp + 300 - 0.001, leeway: .seconds(300)), nil)
        await TestSupport.expect(token, try Edge.verifier(clock: exp + 300, leeway: .seconds(300)), .expired)
    }

    @Test("nbf leeway: valid at nbf − leeway, not_yet_valid 1 ms earlier")
    func notBeforeLeeway() async throws {
        let token = try Edge.fixture("es256-nbf-in-leeway")
        let nbf = try Edge.numericClaim("nbf", of: token)
        #expect(nbf == 1_796_000_030)
        await TestSupport.expect(token, try Edge.verifier(clock: nbf - 60), nil)
        await TestSupport.expect(token, try Edge.verifier(clock: nbf - 60 - 0.001), .notYetValid)
        await TestSupport.expect(token, try Edge.verifier(clock: nbf, leeway: .zero), nil)
        await TestSupport.expect(token, try Edge.verifier(clock: nbf - 0.001, leeway: .zero), .notYetValid)
        await TestSupport.expect(token, try Edge.verifier(clock: nbf - 300, leeway: .seconds(300)), nil)
        await TestSupport.expect(token, try Edge.verifier(clock: nbf - 300 - 0.001, leeway: .seconds(300)), .notYetValid)
    }

    @Test("leeway: 0 and 300 s are accepted; −1 s, −1 ms, 300.001 s and 301 s are invalid_configuration")
    func leewayRange() throws {
        for leeway: Duration in [.zero, .seconds(300), .seconds(60), .milliseconds(299_999)] {
            #expect(throws: Never.self, "leeway \(leeway)") { try Edge.verifier(leeway: leeway) }
        }
        for leeway: Duration in [.seconds(-1), .milliseconds(-1), .milliseconds(300_001), .seconds(301)] {
            let error = #expect(throws: JWTError.self, "leeway \(leeway)") { try Edge.verifier(leeway: leeway) }
            #expect(error?.code == .invalidConfiguration, "leeway \(leeway)")
        }
    }

    /// A JSON document read as a NumericDate, the way claims are read: from the strict reader's document.
    private func numericDate(_ text: String) throws -> Double {
        let document = try StrictJSONReader.parse(Array(text.utf8))
        return try NumericDate.seconds(document.number(document.root), claim: "exp")
    }

    @Test("NumericDate: 0 and 253402300799 are accepted; −1, 253402300800 and 1e400 are refused")
    func numericDateRange() throws {
        for (text, seconds) in [
            ("0", 0.0), ("253402300799", 253_402_300_799.0), ("-0", 0.0), ("2.53402300799e11", 253_402_300_799.0),
        ] {
            #expect(
                try numericDate(text) == seconds,
                "\(text)"
            )
        }
        for text in [
            "-1", "253402300800", "1e400", "-1e400", "253402300799.001", "-0.001", #""0""#, "null", "true", "[0]",
        ] {
            let error = #expect(throws: JWTError.self, "\(text)") {
                try numericDate(text)
            }
            #expect(error?.code == .invalidClaim, "\(text)")
        }
    }

    // MARK: Signatures

    @Test("ES256 r/s range: 1 and n−1 are in range; 0, n, n+1 and 2^256−1 are not")
    func es256ScalarRange() {
        let n = ES256Signature.groupOrder
        #expect(n == TestSupport.bytes(hex: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
        let cases: [(String, [UInt8], Bool)] = [
            ("0", ByteMath.integer(0), false), ("1", ByteMath.integer(1), true),
            ("n − 1", ByteMath.subtractBigEndian(n, ByteMath.integer(1)), true), ("n", n, false),
            ("n + 1", ByteMath.addBigEndian(n, ByteMath.integer(1)), false), ("2^256 − 1", [UInt8](repeating: 0xFF, count: 32), false),
            ("2^255", [0x80] + [UInt8](repeating: 0, count: 31), true),
            ("n − 256", ByteMath.subtractBigEndian(n, [UInt8](repeating: 0, count: 30) + [1, 0]), true),
        ]
        for (label, value, inRange) in cases {
            #expect(value.count == 32)
            let isInRange = ES256Signature.isInRange(value.span)
            #expect(isInRange == inRange, "\(label)")
        }
    }

    @Test("Ed25519 S: L−1 is reduced; L and L+1 are not")
    func ed25519ScalarRange() {
        let order = Array(
            TestSupport.bytes(hex: "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed").reversed()
        )
        #expect(Ed25519Signature.groupOrderLittleEndian == order)
        let one = [1] + [UInt8](repeating: 0, count: 31)
        let cases: [(String, [UInt8], Bool)] = [
            ("0", [UInt8](repeating: 0, count: 32), true),
            ("L − 1", Edge.reversedBytes(ByteMath.subtractBigEndian(Edge.reversedBytes(order), Edge.reversedBytes(one))), true),
            ("L", order, false),
            ("L + 1", Edge.reversedBytes(ByteMath.addBigEndian(Edge.reversedBytes(order), Edge.reversedBytes(one))), false),
            ("2^253", [UInt8](repeating: 0, count: 31) + [0x20], false),
            ("2^256 − 1", [UInt8](repeating: 0xFF, count: 32), false),
        ]
        for (label, value, reduced) in cases {
            let isReduced = Ed25519Signature.isReduced(value.span)
            #expect(isReduced == reduced, "\(label)")
        }
    }

    @Test(
        "signature length: 64 bytes reach verification; 63 and 65 are refused by length",
        arguments: ["es256-valid", "eddsa-valid"]
    )
    func signatureLength(_ name: String) async throws {
        let verifier = try Edge.verifier()
        let token = try Edge.fixture(name)
        let signature = try Edge.signature(of: token)
        #expect(signature.count == 64)
        await TestSupport.expect(token, verifier, nil, "control")
        // 64 bytes of garbage that pass the range checks: refused by the signature check itself.
        let garbage = try #require(await TestSupport.refusal(Edge.replacingSignature(of: token, with: Edge.garbage), verifier))
        #expect(garbage.code == .invalidSignature)
        #expect(garbage.message == "signature does not verify", "\(garbage.message)")
        for bytes in [Array(signature.dropLast()), signature + [0x00]] {
            let error = try #require(await TestSupport.refusal(Edge.replacingSignature(of: token, with: bytes), verifier))
            #expect(error.code == .invalidSignature)
            #expect(
                error.message.contains("must be 64 bytes") && error.message.contains("got \(bytes.count)"),
                "\(error.message)"
            )
        }
    }

    // MARK: JSON

    @Test("JSON depth: exactly the limit is accepted, one more is refused")
    func jsonDepth() async throws {
        for limits in [StrictJSONReader.Limits(), JOSEHeader.jsonLimits, StrictJSONReader.Limits(maxDepth: 4)] {
            let depth = limits.maxDepth
            #expect(throws: Never.self, "arrays at depth \(depth)") {
                try StrictJSONReader.read(Array(Edge.nestedArrays(depth).utf8), limits: limits)
            }
            #expect(throws: Never.self, "objects at depth \(depth)") {
                try StrictJSONReader.read(Array(Edge.nestedObjects(depth).utf8), limits: limits)
            }
            #expect(throws: StrictJSONReader.Failure.self, "arrays at depth \(depth + 1)") {
                try StrictJSONReader.read(Array(Edge.nestedArrays(depth + 1).utf8), limits: limits)
            }
            #expect(throws: StrictJSONReader.Failure.self, "objects at depth \(depth + 1)") {
                try StrictJSONReader.read(Array(Edge.nestedObjects(depth + 1).utf8), limits: limits)
            }
        }
        #expect(JOSEHeader.jsonLimits.maxDepth == 32)
        // End to end: a header member nested to depth 32 (the header object is depth 1) parses and the
        // token fails only at its signature; depth 33 is malformed.
        let verifier = try Edge.verifier()
        let signature = Edge.segments(try Edge.fixture("es256-valid"))[2]
        func header(arrays: Int) -> String {
            #"{"alg":"ES256","kid":"es256-a","x":"# + String(repeating: "[", count: arrays)
                + String(repeating: "]", count: arrays) + "}"
        }
        let payload = Base64URL.encode(Array(Edge.defaultPayload.utf8))
        await TestSupport.expect(
            Base64URL.encode(Array(header(arrays: 31).utf8)) + "." + payload + "." + signature,
            verifier,
            .invalidSignature
        )
        await TestSupport.expect(
            Base64URL.encode(Array(header(arrays: 32).utf8)) + "." + payload + "." + signature,
            verifier,
            .malformed
        )
    }

    @Test("JSON depth: a 100,000-deep array is refused at the depth limit, without exhausting the stack")
    func hundredThousandDeep() async throws {
        let deep = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        #expect(throws: StrictJSONReader.Failure.tooDeep(offset: 32)) { try StrictJSONReader.read(deep) }
        #expect(throws: StrictJSONReader.Failure.self) {
            try StrictJSONReader.read(deep, limits: JOSEHeader.jsonLimits)
        }
        // As a token header, with a limit large enough to let it through to the JSON reader.
        let token =
            Base64URL.encode(deep) + "." + Base64URL.encode(Array(Edge.defaultPayload.utf8)) + "."
            + Base64URL.encode(Edge.garbage)
        await TestSupport.expect(token, try Edge.verifier { $0.maxTokenBytes = 1 << 20 }, .malformed)
    }

    @Test("1,000,000 dots: malformed at the third dot under a 1 MiB limit, token_too_large under the default")
    func millionDots() async throws {
        let dots = String(repeating: ".", count: 1_000_000)
        let wide = try #require(await TestSupport.refusal(dots, try Edge.verifier { $0.maxTokenBytes = 1 << 20 }))
        #expect(wide.code == .malformed)
        #expect(wide.message.contains("more than three segments"), "\(wide.message)")
        await TestSupport.expect(dots, try Edge.verifier(), .tokenTooLarge)
    }

    // MARK: base64url

    @Test("base64url: a length of 1 mod 4 is refused, 0, 2 and 3 mod 4 decode")
    func base64URLLength() async throws {
        for (text, count) in [("", 0), ("QQ", 1), ("QUI", 2), ("QUJD", 3), ("QUJDRA", 4)] {
            #expect(try Base64URL.decode(Array(text.utf8)).count == count, "\(text)")
        }
        for text in ["Q", "QUJDR", "QUJDRAAAA", String(repeating: "A", count: 85)] {
            #expect(throws: Base64URL.DecodingError.invalidLength, "\(text.count) characters") {
                try Base64URL.decode(Array(text.utf8))
            }
        }
        // In a token, every segment.
        let verifier = try Edge.verifier()
        let parts = Edge.segments(try Edge.fixture("es256-valid"))
        for index in 0..<3 {
            var changed = parts
            while changed[index].count % 4 != 1 { changed[index] += "A" }
            let error = try #require(await TestSupport.refusal(changed.joined(separator: "."), verifier))
            #expect(error.code == .malformed, "segment \(index)")
            #expect(error.message.contains("impossible base64url length"), "segment \(index): \(error.message)")
        }
    }

    // MARK: Key lookup

    @Test("kid lookup is exact and case-sensitive: ES256-A is not es256-a")
    func kidLookupExact() async throws {
        let keys = try TestSupport.fixtureKeySet()
        #expect(try keys.key(for: "es256-a", algorithm: .es256).keyID == "es256-a")
        for kid in [
            "ES256-A", "Es256-a", "es256-A", "es256-a ", "es256", "es256-a\u{0}", "es256\u{2010}a", "es256-a\u{200B}",
        ] {
            let error = #expect(throws: JWTError.self, "\(kid.debugDescription)") {
                try keys.key(for: kid, algorithm: .es256)
            }
            #expect(error?.code == .unknownKey, "\(kid.debugDescription)")
        }
        let verifier = try Edge.verifier()
        await TestSupport.expect(Edge.forge(header: #"{"alg":"ES256","kid":"ES256-A"}"#), verifier, .unknownKey)
        await TestSupport.expect(
            Edge.forge(header: #"{"alg":"ES256","kid":"es256-a"}"#),
            verifier,
            .invalidSignature,
            "control"
        )
    }

    @Test("kid lookup compares bytes, not canonically equivalent Unicode")
    func kidLookupUnicode() async throws {
        let ec = try Edge.jwk("es256-a")
        // Precomposed é vs e + combining acute; K vs KELVIN SIGN (canonically equivalent to K).
        let pairs: [(stored: String, presented: String)] = [("caf\u{E9}", "cafe\u{301}"), ("K1", "\u{212A}1")]
        for (stored, presented) in pairs {
            #expect(!stored.utf8.elementsEqual(presented.utf8))
            let keys = try JWKSet(json: try Edge.json(["keys": [ec.merging(["kid": stored]) { $1 }]]))
            #expect(try keys.key(for: stored, algorithm: .es256).keyID == stored, "control: the stored spelling")
            let verifier = try Edge.verifier(keys: keys)
            let header = try Edge.json(["alg": "ES256", "kid": presented])
            let scalars = presented.unicodeScalars.map { String($0.value, radix: 16) }
            // Swift's String == is canonical equivalence; the lookup must compare UTF-8 bytes.
            let error = #expect(throws: JWTError.self, "kid \(scalars)") {
                try keys.key(for: presented, algorithm: .es256)
            }
            #expect(error?.code == .unknownKey, "kid \(scalars)")
            await TestSupport.expect(Edge.forge(headerBytes: header), verifier, .unknownKey, "kid \(scalars)")
        }
    }

    // MARK: Key sets

    @Test("JWK Set limits: 256 keys and 256 KiB are accepted, one more of either is refused")
    func keySetLimits() throws {
        let ec = try Edge.jwk("es256-a")
        let many = (0..<256).map { ec.merging(["kid": "k\($0)"]) { $1 } }
        #expect(try JWKSet(json: try Edge.json(["keys": many])).count == 256)
        let tooMany = many + [ec.merging(["kid": "k256"]) { $1 }]
        let countError = #expect(throws: JWTError.self) { try JWKSet(json: try Edge.json(["keys": tooMany])) }
        #expect(countError?.code == .invalidKeySet)

        let limit = 256 * 1024
        func document(size: Int) throws -> [UInt8] {
            let prefix = #"{"keys":["# + String(decoding: try Edge.json(ec), as: UTF8.self) + #"],"pad":""#
            let suffix = #""}"#
            return Array(
                (prefix + String(repeating: "a", count: size - prefix.utf8.count - suffix.utf8.count) + suffix).utf8
            )
        }
        let atLimit = try document(size: limit)
        #expect(atLimit.count == limit)
        #expect(try JWKSet(json: atLimit).count == 1)
        let sizeError = #expect(throws: JWTError.self) { try JWKSet(json: try document(size: limit + 1)) }
        #expect(sizeError?.code == .invalidKeySet)
    }

    // MARK: Verification order

    @Test("order: an unsupported crit header is reported before a bad signature")
    func headerBeforeSignature() async throws {
        let verifier = try Edge.verifier()
        for header in [
            #"{"alg":"ES256","kid":"es256-a","crit":["exp"]}"#, #"{"alg":"ES256","kid":"nope","crit":["exp"]}"#,
            #"{"alg":"none","crit":["exp"]}"#, #"{"alg":"ES256","kid":"es256-a","b64":false}"#,
            #"{"alg":"ES256","kid":"es256-a","cty":"JWT"}"#,
        ] {
            let token = Edge.forge(header: header)
            await TestSupport.expect(token, verifier, .unsupportedCriticalHeader, "\(header)")
        }
        // Control: the same garbage signature without the critical member is an invalid signature.
        await TestSupport.expect(
            Edge.forge(header: #"{"alg":"ES256","kid":"es256-a"}"#),
            verifier,
            .invalidSignature,
            "control"
        )
    }

    @Test("order: size, then segments, then alg, then kid, then key fit, then signature, then payload")
    func stageOrder() async throws {
        let verifier = try Edge.verifier()
        let es256Only = try Edge.verifier { $0.algorithms = [.es256] }
        // Too large and malformed → token_too_large.
        await TestSupport.expect(String(repeating: "!", count: 16_385), verifier, .tokenTooLarge)
        // Not allowed alg and unknown kid → algorithm_not_allowed.
        await TestSupport.expect(Edge.forge(header: #"{"alg":"EdDSA","kid":"nope"}"#), es256Only, .algorithmNotAllowed)
        // Unknown kid and bad signature → unknown_key.
        await TestSupport.expect(Edge.forge(header: #"{"alg":"ES256","kid":"nope"}"#), verifier, .unknownKey)
        // Key mismatch and bad signature → key_mismatch.
        await TestSupport.expect(Edge.forge(header: #"{"alg":"EdDSA","kid":"es256-a"}"#), verifier, .keyMismatch)
        // Bad signature and a non-JSON payload → invalid_signature (the payload is not read).
        await TestSupport.expect(
            Edge.forge(header: #"{"alg":"ES256","kid":"es256-a"}"#, payload: "not json"),
            verifier,
            .invalidSignature
        )
        // Good signature and a non-JSON payload → malformed.
        await TestSupport.expect(try Edge.fixture("es256-payload-not-json"), verifier, .malformed)
    }

    @Test("order: signature before claims; expired + wrong iss reports one of the two, deterministically")
    func signatureBeforeClaims() async throws {
        let wrongIssuer = try Edge.fixture("es256-wrong-iss")
        let exp = try Edge.numericClaim("exp", of: wrongIssuer)
        let late = try Edge.verifier(clock: exp + 3_600)
        // Controls: each defect alone.
        await TestSupport.expect(wrongIssuer, try Edge.verifier(), .issuerMismatch)
        await TestSupport.expect(try Edge.fixture("es256-valid"), late, .expired)
        // Both defects: one of the two, and the same one every time.
        var seen: Set<String> = []
        for _ in 0..<5 {
            let error = try #require(await TestSupport.refusal(wrongIssuer, late))
            #expect(error.code == .expired || error.code == .issuerMismatch, "\(error)")
            seen.insert(error.code.name)
        }
        #expect(seen.count == 1, "non-deterministic: \(seen)")
        // A bad signature on an expired token is reported as the bad signature.
        await TestSupport.expect(try Edge.fixture("es256-bad-sig"), late, .invalidSignature)
        let expired = try Edge.fixture("es256-expired")
        await TestSupport.expect(expired, try Edge.verifier(), .expired, "control")
        var flipped = try Edge.signature(of: expired)
        flipped[63] ^= 0x01
        await TestSupport.expect(Edge.replacingSignature(of: expired, with: flipped), try Edge.verifier(), .invalidSignature)
    }
}

// MARK: - Helpers (private to this file)

private struct EdgeFixtureMissing: Error, CustomStringConvertible {
    let description: String
}

private enum Edge {
    static let defaultPayload =
        #"{"iss":"https://api.simbee.io","sub":"cu_fixture1","aud":"cl_fixture","iat":1795999940,"exp":1796000840,"jti":"boundary"}"#

    /// 64 bytes with r, s in [1, n−1] and S < L: fails only the signature check itself.
    static let garbage: [UInt8] = (0..<64).map { (index: Int) -> UInt8 in
        let byte = UInt8(truncatingIfNeeded: index &* 13 &+ 5)
        return index == 63 ? byte & 0x0F : byte
    }

    static func fixture(_ name: String) throws -> String {
        guard let found = try TestSupport.manifest().cases.first(where: { $0.name == name }) else {
            throw EdgeFixtureMissing(description: "no fixture named \(name)")
        }
        return found.token
    }

    static func jwk(_ kid: String) throws -> [String: Any] {
        let set = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as? [String: Any]
        guard let found = (set?["keys"] as? [[String: Any]])?.first(where: { $0["kid"] as? String == kid }) else {
            throw EdgeFixtureMissing(description: "no JWK \(kid)")
        }
        return found
    }

    static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// The manifest configuration (issuer, audience, clock at `now`, 60 s leeway), then `adjust`.
    static func verifier(
        keys: JWKSet? = nil,
        clock: Double? = nil,
        leeway: Duration = .seconds(60),
        _ adjust: (inout JWTVerifier.Configuration) -> Void = { _ in }
    ) throws -> JWTVerifier {
        let manifest = try TestSupport.manifest()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience], leeway: leeway)
        claims.clock = TestSupport.pinnedClock(clock ?? manifest.now)
        var configuration = JWTVerifier.Configuration(claims: claims)
        adjust(&configuration)
        return try JWTVerifier(keys: try keys ?? TestSupport.fixtureKeySet(), configuration: configuration)
    }


    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func signature(of token: String) throws -> [UInt8] {
        try Base64URL.decode(Array(segments(token)[2].utf8))
    }

    static func replacingSignature(of token: String, with signature: [UInt8]) -> String {
        let parts = segments(token)
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
    }

    static func forge(header: String, payload: String = defaultPayload, signature: [UInt8] = garbage) -> String {
        forge(headerBytes: Array(header.utf8), payload: payload, signature: signature)
    }

    static func forge(headerBytes: [UInt8], payload: String = defaultPayload, signature: [UInt8] = garbage) -> String {
        Base64URL.encode(headerBytes) + "." + Base64URL.encode(Array(payload.utf8)) + "." + Base64URL.encode(signature)
    }

    /// A NumericDate claim of a fixture token, read with the library's strict reader.
    static func numericClaim(_ name: String, of token: String) throws -> Double {
        let payload = try Base64URL.decode(Array(segments(token)[1].utf8))
        guard case .number(let number)? = try StrictJSONReader.read(payload).objectValue?[name] else {
            throw EdgeFixtureMissing(description: "no numeric \(name)")
        }
        return number.value
    }

    /// A token of exactly `length` bytes: header `{"alg":"ES256","kid":"es256-a"}` (padded with JSON
    /// whitespace as needed), a payload with a `pad` claim, and a 64-byte garbage signature.
    static func token(ofLength length: Int) throws -> String {
        let signature = Base64URL.encode(garbage)
        for spaces in 0..<4 {
            let header = Base64URL.encode(
                Array((#"{"alg":"ES256","kid":"es256-a"}"# + String(repeating: " ", count: spaces)).utf8)
            )
            let payloadLength = length - header.utf8.count - signature.utf8.count - 2
            let byteCount: Int
            switch payloadLength % 4 {
            case 0: byteCount = payloadLength / 4 * 3
            case 2: byteCount = payloadLength / 4 * 3 + 1
            case 3: byteCount = payloadLength / 4 * 3 + 2
            default: continue
            }
            let skeleton = String(defaultPayload.dropLast()) + #","pad":""# + #""}"#
            let padding = byteCount - skeleton.utf8.count
            guard padding >= 0 else { continue }
            let payload =
                String(defaultPayload.dropLast()) + #","pad":""# + String(repeating: "a", count: padding) + #""}"#
            let token = header + "." + Base64URL.encode(Array(payload.utf8)) + "." + signature
            if token.utf8.count == length { return token }
        }
        throw EdgeFixtureMissing(description: "cannot build a token of \(length) bytes")
    }

    static func nestedArrays(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
    }

    static func nestedObjects(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    }

    // 256-bit big-endian arithmetic

    static func reversedBytes(_ value: [UInt8]) -> [UInt8] {
        Array(value.reversed())
    }

}
