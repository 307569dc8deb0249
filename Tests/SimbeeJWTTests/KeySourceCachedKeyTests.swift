import Foundation
import NIOConcurrencyHelpers
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// `JWTKeySource.cachedKey(for:algorithm:)`: a user's own key source that has its keys at hand
/// answers through it and is never awaited; one that does not implement it is awaited, and its
/// answer (or refusal) is what counts.
@Suite("Key sources answering at once")
struct KeySourceCachedKeyTests {
    /// A key source over a key set that counts how it was asked; `answersAtOnce` says whether it
    /// implements `cachedKey` with a real answer.
    final class CountingKeys: JWTKeySource {
        let keys: JWKSet
        let answersAtOnce: Bool
        let cachedLookups = NIOLockedValueBox(0)
        let awaitedLookups = NIOLockedValueBox(0)

        init(_ keys: JWKSet, answersAtOnce: Bool) {
            self.keys = keys
            self.answersAtOnce = answersAtOnce
        }

        func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
            awaitedLookups.withLockedValue { $0 += 1 }
            return try keys.key(for: keyID, algorithm: algorithm)
        }

        func cachedKey(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey? {
            cachedLookups.withLockedValue { $0 += 1 }
            return answersAtOnce ? keys.cachedKey(for: keyID, algorithm: algorithm) : nil
        }
    }

    /// A source that implements only the required method: the default `cachedKey` applies.
    struct AwaitOnlyKeys: JWTKeySource {
        let keys: JWKSet
        func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
            try keys.key(for: keyID, algorithm: algorithm)
        }
    }

    private static func validToken() throws -> (manifest: TestSupport.Manifest, token: String) {
        let manifest = try TestSupport.manifest()
        let token = try #require(manifest.cases.first { $0.name == "es256-valid" }).token
        return (manifest, token)
    }

    @Test("a source with the key at hand is asked through cachedKey and never awaited, also on cache hits")
    func answeredAtOnce() async throws {
        let (manifest, token) = try Self.validToken()
        let keys = CountingKeys(try TestSupport.fixtureKeySet(), answersAtOnce: true)
        let verifier = try TestSupport.manifestVerifier(manifest, keys: keys)
        _ = try await verifier.verify(token)
        _ = try await verifier.verify(token)  // a verified-token cache hit checks the key again
        #expect(keys.cachedLookups.withLockedValue { $0 } == 2)
        #expect(keys.awaitedLookups.withLockedValue { $0 } == 0)
    }

    @Test("nil from cachedKey leaves the answer, and any refusal, to key(for:algorithm:)")
    func nilFallsBackToAwaiting() async throws {
        let (manifest, token) = try Self.validToken()
        let keys = CountingKeys(try TestSupport.fixtureKeySet(), answersAtOnce: false)
        let verifier = try TestSupport.manifestVerifier(manifest, keys: keys)
        _ = try await verifier.verify(token)
        #expect(keys.cachedLookups.withLockedValue { $0 } == 1)
        #expect(keys.awaitedLookups.withLockedValue { $0 } == 1)

        // An unknown kid: cachedKey has no key, and the awaited lookup refuses it.
        let unknown = try #require(manifest.cases.first { $0.expect == "unknown_key" })
        let error = await TestSupport.refusal(
            unknown.token,
            try TestSupport.manifestVerifier(manifest, options: unknown.options, keys: keys)
        )
        #expect(error?.code == .unknownKey)
    }

    @Test("the default cachedKey answers nil, so a source with only key(for:algorithm:) still verifies")
    func defaultImplementation() async throws {
        let (manifest, token) = try Self.validToken()
        let keys = AwaitOnlyKeys(keys: try TestSupport.fixtureKeySet())
        #expect(keys.cachedKey(for: "es256-a", algorithm: .es256) == nil)
        let verifier = try TestSupport.manifestVerifier(manifest, keys: keys)
        #expect(try await verifier.verify(token).header.algorithm == .es256)
    }

    @Test("JWKSet answers at once exactly when key(for:algorithm:) would return a key")
    func keySetAnswersAtOnce() throws {
        let keys = try TestSupport.fixtureKeySet()
        for keyID in keys.keyIDs {
            #expect(keys.cachedKey(for: keyID, algorithm: .es256) === (try? keys.key(for: keyID, algorithm: .es256)))
        }
        #expect(keys.cachedKey(for: "no-such-kid", algorithm: .es256) == nil)
    }
}
