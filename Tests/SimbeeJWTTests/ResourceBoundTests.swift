import Foundation
import SimbeeJWTTesting
import SimbeeJWTTestSupport
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Hostile sizes (ATTACKS.md row 23) refused by a cap, never by running out of time, stack or memory.
///
/// `BoundaryTests` covers 1,000,000 dots and a 100,000-deep array in a header; this file adds the
/// 10 MB token, 100,000-deep objects where the reader meets them (a signed payload, a JWK Set), and
/// JWK Sets of 100,000 keys or 10 MiB. "Quickly" is shown by which cap fired, never by a clock: each
/// test checks the error's reason, and where the order matters, a refusal that only the earlier
/// check could give. The command-line counterpart, with peak memory measured, is `CLIStreamTests`.
@Suite("Resource bounds")
struct ResourceBoundTests {
    static let tenMegabytes = 10_000_000

    // MARK: 10 MB token

    @Test("a 10 MB token is token_too_large under the default and the largest limit, before the cache is consulted")
    func tenMegabyteToken() async throws {
        let minter = try TokenMinter(.es256A)
        // A validly signed token: only the size cap can refuse it.
        let padding = String(repeating: "a", count: Self.tenMegabytes * 3 / 4)
        let token = try minter.token(payload: Self.claims(jti: "ten-mb", extra: #","pad":"\#(padding)""#))
        #expect(token.utf8.count > Self.tenMegabytes)
        for limit in [JWTVerifier.Configuration.defaultMaxTokenBytes, 1 << 20] {
            let verifier = try Self.verifier { $0.maxTokenBytes = limit }
            let error = try #require(await TestSupport.refusal(token, verifier))
            #expect(error.code == .tokenTooLarge)
            #expect(error.message == "token is \(token.utf8.count) bytes, more than the limit of \(limit)")
            // The size check runs before the verified-token cache hashes the token for a lookup.
            let statistics = try #require(verifier.tokenCache).statistics
            #expect(statistics.misses == 0 && statistics.hits == 0 && statistics.entries == 0)
        }
        // The header peek and the decoder apply the same cap first.
        let peek = #expect(throws: JWTError.self) { try UnverifiedHeader(peekingAt: token) }
        #expect(peek?.code == .tokenTooLarge)
        let split = #expect(throws: JWTError.self) { try CompactJWS(token, maxBytes: 1 << 20) }
        #expect(split?.code == .tokenTooLarge)
    }

    @Test("control: the same construction under the limit verifies, so only size refused the 10 MB token")
    func sizeControl() async throws {
        let minter = try TokenMinter(.es256A)
        let padding = String(repeating: "a", count: 600_000)
        let token = try minter.token(payload: Self.claims(jti: "under-limit", extra: #","pad":"\#(padding)""#))
        #expect(token.utf8.count < 1 << 20)
        await TestSupport.expect(token, try Self.verifier { $0.maxTokenBytes = 1 << 20 }, nil)
        await TestSupport.expect(token, try Self.verifier(), .tokenTooLarge)
    }

    // MARK: 100,000-deep JSON

    @Test("100,000-deep objects and mixed nesting stop at depth 33, without recursing further")
    func deepObjects() throws {
        let depth = 100_000
        let objects = Array(
            (String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8
        )
        // The 33rd "{" starts at offset 32 × 5: the reader refused there and went no deeper.
        #expect(throws: StrictJSONReader.Failure.tooDeep(offset: 32 * 5)) { try StrictJSONReader.read(objects) }
        let mixed = Array(
            (String(repeating: #"[{"a":"#, count: depth / 2) + "1" + String(repeating: "}]", count: depth / 2)).utf8
        )
        // Depth 33 is the 17th "[" (pairs 1–16 are depths 1–32), at offset 16 × 6.
        #expect(throws: StrictJSONReader.Failure.tooDeep(offset: 16 * 6)) { try StrictJSONReader.read(mixed) }
        // Unclosed: refused at the same point, not by running off the end.
        let unclosed = Array(String(repeating: "[", count: depth).utf8)
        #expect(throws: StrictJSONReader.Failure.tooDeep(offset: 32)) { try StrictJSONReader.read(unclosed) }
        // Brackets inside a string are not nesting: a 100,000-bracket string member parses.
        let quoted = Array((#"{"a":""# + String(repeating: "[{", count: depth) + #""}"#).utf8)
        #expect(try StrictJSONReader.read(quoted).objectValue?["a"]?.stringValue?.utf8.count == 2 * depth)
    }

    @Test("a validly signed payload nested 100,000 deep is malformed (the claims reader is bounded too)")
    func deepSignedPayload() async throws {
        let minter = try TokenMinter(.ed25519A)
        let depth = 100_000
        let payload = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        let token = try minter.token(payload: payload)
        #expect(token.utf8.count < 1 << 20)
        let verifier = try Self.verifier { $0.maxTokenBytes = 1 << 20 }
        let error = try #require(await TestSupport.refusal(token, verifier))
        // Not invalid_signature: the signature held, and the payload reader refused at depth 33.
        #expect(error.code == .malformed)
        #expect(error.message == "payload is not strict JSON (tooDeep(offset: 160))", "\(error.message)")
        // Control: the same key and verifier accept a flat payload.
        await TestSupport.expect(try minter.token(payload: Self.claims(jti: "flat")), verifier, nil)
    }

    @Test("a JWK Set nested 100,000 deep fits the byte cap and is refused by the depth cap")
    func deepKeySet() throws {
        let depth = 100_000
        let document = Array(
            (#"{"keys":["# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "]}").utf8
        )
        #expect(document.count <= JWKSet.Limits().maxBytes)
        let error = #expect(throws: JWTError.self) { try JWKSet(json: document) }
        #expect(error?.code == .invalidKeySet)
        // Key sets are read with depth 16: the "keys" array is depth 2, so the 15th "[" inside it is 17.
        #expect(error?.message == "JWK Set is not strict JSON (tooDeep(offset: 23))", "\(error?.message ?? "")")
    }

    // MARK: JWK Sets of 100,000 keys or 10 MiB

    @Test("100,000 entries within the byte cap: refused by the key count before any entry is imported")
    func hundredThousandEntries() throws {
        let entries = Array(repeating: "0", count: 100_000).joined(separator: ",")
        let document = Array(#"{"keys":[\#(entries)]}"#.utf8)
        #expect(document.count <= JWKSet.Limits().maxBytes)
        let error = #expect(throws: JWTError.self) { try JWKSet(json: document) }
        #expect(error?.code == .invalidKeySet)
        // Importing first would have skipped every entry and said "no usable key (100000 skipped)".
        #expect(error?.message == "JWK Set has 100000 keys, more than the limit of 256", "\(error?.message ?? "")")
    }

    @Test("100,000 real keys (about 16 MB): refused by the byte cap, and by the count cap when bytes are allowed")
    func hundredThousandKeys() throws {
        let jwk = String(decoding: try Self.es256JWK(), as: UTF8.self)
        let keys = (0..<100_000).map { jwk.replacingOccurrences(of: #""kid":"es256-a""#, with: #""kid":"k\#($0)""#) }
        let document = Array((#"{"keys":["# + keys.joined(separator: ",") + "]}").utf8)
        #expect(document.count > 10 << 20)
        let bySize = #expect(throws: JWTError.self) { try JWKSet(json: document) }
        #expect(bySize?.message == "JWK Set is larger than 262144 bytes", "\(bySize?.message ?? "")")

        var roomy = JWKSet.Limits()
        roomy.maxBytes = 32 << 20
        let byCount = #expect(throws: JWTError.self) { try JWKSet(json: document, limits: roomy) }
        // Every one of these keys would import; the count cap fired before any did.
        #expect(byCount?.message == "JWK Set has 100000 keys, more than the limit of 256", "\(byCount?.message ?? "")")
        // Control: the first 256 of them import.
        let first = Array((#"{"keys":["# + keys.prefix(256).joined(separator: ",") + "]}").utf8)
        #expect(try JWKSet(json: first, limits: roomy).count == 256)
    }

    @Test("a 10 MiB JWK Set (whitespace, or 10 MiB of nesting) is refused by the byte cap before parsing")
    func tenMebibyteKeySet() throws {
        let jwk = String(decoding: try Self.es256JWK(), as: UTF8.self)
        let valid = #"{"keys":["# + jwk + "]}"
        let padded = Array((valid + String(repeating: " ", count: (10 << 20) - valid.utf8.count)).utf8)
        #expect(padded.count == 10 << 20)
        let error = #expect(throws: JWTError.self) { try JWKSet(json: padded) }
        #expect(error?.message == "JWK Set is larger than 262144 bytes", "\(error?.message ?? "")")
        // 10 MiB of "[": the depth cap would refuse it too, but the size check comes first.
        let nested = [UInt8](repeating: UInt8(ascii: "["), count: 10 << 20)
        let nestedError = #expect(throws: JWTError.self) { try JWKSet(json: nested) }
        #expect(nestedError?.message == "JWK Set is larger than 262144 bytes")
        // Control: the same document without the padding imports.
        #expect(try JWKSet(json: Array(valid.utf8)).count == 1)
    }

    @Test("remote: 100,000 entries in one response are refused by the count cap and the snapshot is kept")
    func remoteHundredThousandEntries() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a"])
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(31))
        let entries = Array(repeating: "0", count: 100_000).joined(separator: ",")
        harness.server.serve(jwks: Array(#"{"keys":[\#(entries)]}"#.utf8))
        // The refresh that would decide es256-b failed: an outage, not a verdict on the kid.
        #expect(await harness.lookup("es256-b") == "jwks_unavailable")
        #expect(harness.server.requestCount == 2)
        let lastError = harness.keys.status.lastError ?? ""
        #expect(lastError.contains("100000 keys, more than the limit of 256"), "\(lastError)")
        #expect(await harness.lookup("es256-a") == "found")
        await harness.server.shutdown()
    }

    // MARK: Helpers

    static func claims(jti: String, extra: String = "") -> String {
        #"{"iss":"https://api.simbee.io","sub":"cu_bounds","aud":"cl_fixture","iat":1795999940,"exp":1796000840,"jti":"\#(jti)"\#(extra)}"#
    }

    /// The manifest configuration (issuer, audience, clock pinned at `now`), then `adjust`.
    static func verifier(_ adjust: (inout JWTVerifier.Configuration) -> Void = { _ in }) throws -> JWTVerifier {
        let manifest = try TestSupport.manifest()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = TestSupport.pinnedClock(manifest.now)
        var configuration = JWTVerifier.Configuration(claims: claims)
        adjust(&configuration)
        return try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: configuration)
    }

    /// The fixture JWK `es256-a` as compact JSON with sorted members.
    static func es256JWK() throws -> [UInt8] {
        let set = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as? [String: Any]
        let jwk = try #require((set?["keys"] as? [[String: Any]])?.first { $0["kid"] as? String == "es256-a" })
        return Array(try JSONSerialization.data(withJSONObject: jwk, options: [.sortedKeys]))
    }
}
