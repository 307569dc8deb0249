import Foundation
import NIOConcurrencyHelpers
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Key lookups answered at once (``JWKSet``, a fresh ``RemoteJWKS`` snapshot, through
/// `cachedKey`) and awaited ones (any other source): the token is parsed once, before the lookup,
/// which may suspend. Both must give the same verdicts in the same order, and the payload, which is
/// not kept, must come back exactly.
@Suite("Awaited key lookups and the payload on demand")
struct AwaitedKeyLookupTests {
    static var cases: [TestSupport.Manifest.Case] { get throws { try TestSupport.manifest().cases } }

    /// A key source that only answers by awaiting (it suspends before every answer) and counts the
    /// lookups it was asked for.
    final class AwaitingKeys: JWTKeySource {
        let keys: JWKSet
        let lookups = NIOLockedValueBox(0)
        init(_ keys: JWKSet) { self.keys = keys }
        func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
            lookups.withLockedValue { $0 += 1 }
            await Task.yield()
            return try keys.key(for: keyID, algorithm: algorithm)
        }
    }

    /// The payload segment of `token` decoded by Foundation, independently of the library's codec.
    static func referencePayload(_ token: String) throws -> [UInt8] {
        let segment = token.split(separator: ".", omittingEmptySubsequences: false)[1]
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Array(try #require(Data(base64Encoded: base64)))
    }

    @Test("each fixture token gets its recorded verdict through a key source that suspends", arguments: try cases)
    func awaitedVerdict(_ fixture: TestSupport.Manifest.Case) async throws {
        let manifest = try TestSupport.manifest()
        let keys = AwaitingKeys(try TestSupport.fixtureKeySet())
        let verifier = try TestSupport.manifestVerifier(manifest, options: fixture.options, keys: keys)
        let outcome = await TestSupport.outcome(verifier, fixture.token)
        #expect(outcome == fixture.expect, "\(fixture.name): \(fixture.description)")
    }

    @Test("a token refused while parsing is refused before the key source is asked")
    func parsingRefusalsAskNoKey() async throws {
        let manifest = try TestSupport.manifest()
        let parsingCodes: Set = [
            "malformed", "token_too_large", "unsupported_algorithm", "unsupported_critical_header",
        ]
        var beforeLookup = 0
        for fixture in manifest.cases where parsingCodes.contains(fixture.expect) {
            let keys = AwaitingKeys(try TestSupport.fixtureKeySet())
            let verifier = try TestSupport.manifestVerifier(manifest, options: fixture.options, keys: keys)
            let error = try #require(await TestSupport.refusal(fixture.token, verifier), "\(fixture.name)")
            #expect(error.code.name == fixture.expect, "\(fixture.name)")
            // A signed payload that is not a JSON object is read, and refused, only once the
            // signature holds, so after the lookup; everything else before it.
            let payloadIsRead = error.description.contains("payload is not")
            if !payloadIsRead { beforeLookup += 1 }
            #expect(keys.lookups.withLockedValue { $0 } == (payloadIsRead ? 1 : 0), "\(fixture.name): \(error)")
        }
        #expect(beforeLookup >= 20)
        // A valid token does ask it, once.
        let valid = try #require(manifest.cases.first { $0.name == "es256-valid" })
        let keys = AwaitingKeys(try TestSupport.fixtureKeySet())
        _ = try await TestSupport.manifestVerifier(manifest, keys: keys).verify(valid.token)
        #expect(keys.lookups.withLockedValue { $0 } == 1)
    }

    @Test("both paths give the same verified token, and its payload is the signed one on every access")
    func samePayloadOnBothPaths() async throws {
        let manifest = try TestSupport.manifest()
        let valid = manifest.cases.filter { $0.expect == "valid" }
        #expect(valid.count >= 10)
        for fixture in valid {
            let immediate = try TestSupport.manifestVerifier(manifest, options: fixture.options)
            let awaited = try TestSupport.manifestVerifier(
                manifest,
                options: fixture.options,
                keys: AwaitingKeys(try TestSupport.fixtureKeySet())
            )
            let first = try await immediate.verify(fixture.token)
            let second = try await awaited.verify(fixture.token)
            let cached = try await immediate.verify(fixture.token)
            #expect(try #require(immediate.tokenCache).statistics.hits == 1, "\(fixture.name): not a cache hit")
            let expected = try Self.referencePayload(fixture.token)
            #expect(first.payload == expected, "\(fixture.name)")
            #expect(first.payload == first.payload)
            #expect(second.payload == expected && cached.payload == expected, "\(fixture.name)")
            #expect(first.claims == second.claims && first.header == second.header, "\(fixture.name)")
            #expect(try first.payloadObject() == JSONObject.claimsSet(expected))
        }
    }

    @Test("a printed or dumped VerifiedJWT never shows the signature, so never a replayable token")
    func printedTokenHasNoSignature() async throws {
        let manifest = try TestSupport.manifest()
        for name in ["es256-valid", "eddsa-valid"] {
            let token = try #require(manifest.cases.first { $0.name == name }).token
            let signature = String(token.split(separator: ".")[2])
            let payloadSegment = String(token.split(separator: ".")[1])
            let verified = try await TestSupport.manifestVerifier(manifest).verify(token)
            var dumped = ""
            dump(verified, to: &dumped)
            for text in [String(describing: verified), String(reflecting: verified), dumped] {
                #expect(!text.contains(signature), "\(name): \(text)")
                #expect(!text.contains(token))
                #expect(text.contains(payloadSegment), "\(name): the payload segment is shown: \(text)")
            }
            #expect(verified.payload == (try Self.referencePayload(token)))
        }
    }
}
