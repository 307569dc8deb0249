import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Admission to the verified-token cache on a token's second verification
/// (``JWTVerifier/Configuration/TokenCache/Admission/secondVerification``), against the default,
/// which stores every verified token.
@Suite("Verified-token cache admission")
struct CacheAdmissionTests {
    typealias Helpers = VerifiedTokenCacheTests

    static func verifier(
        admission: JWTVerifier.Configuration.TokenCache.Admission,
        capacity: Int = 10_000
    ) throws -> JWTVerifier {
        var cache = JWTVerifier.Configuration.TokenCache()
        cache.admission = admission
        cache.capacity = capacity
        return try Helpers.verifier(
            keys: try TestSupport.fixtureKeySet(),
            clock: Helpers.MovableClock(1_796_000_000),
            cache: cache
        )
    }

    static let valid = ["es256-valid", "es256-valid-keyops", "eddsa-valid", "es256-aud-array", "es256-scope-string"]

    @Test("the default stores a token at its first verification")
    func defaultIsFirstVerification() async throws {
        #expect(JWTVerifier.Configuration.TokenCache().admission == .firstVerification)
        let verifier = try Self.verifier(admission: .firstVerification)
        let cache = try #require(verifier.tokenCache)
        _ = try await verifier.verify(try Helpers.token("es256-valid").token)
        #expect(cache.statistics.entries == 1)
    }

    @Test("second verification: stored at the second, answered from the third")
    func storedAtSecond() async throws {
        let verifier = try Self.verifier(admission: .secondVerification)
        let cache = try #require(verifier.tokenCache)
        let token = try Helpers.token("es256-valid").token
        let first = try await verifier.verify(token)
        #expect(cache.statistics.entries == 0 && cache.statistics.misses == 1)
        _ = try await verifier.verify(token)
        #expect(cache.statistics.entries == 1 && cache.statistics.hits == 0 && cache.statistics.misses == 2)
        let third = try await verifier.verify(token)
        #expect(cache.statistics.entries == 1 && cache.statistics.hits == 1)
        #expect(third.payload == first.payload && third.claims == first.claims)
    }

    @Test("a refused token is never stored, however often it comes")
    func refusalsNeverStored() async throws {
        let verifier = try Self.verifier(admission: .secondVerification)
        let token = try Helpers.token("es256-bad-sig").token
        for _ in 0..<3 { #expect(await TestSupport.outcome(verifier, token) == "invalid_signature") }
        #expect(try #require(verifier.tokenCache).statistics.entries == 0)
    }

    @Test("tokens seen once do not evict a token that repeats")
    func oneOffTokensDoNotEvict() async throws {
        let repeated = try Helpers.token(Self.valid[0]).token
        let others = try Self.valid.dropFirst().map { try Helpers.token($0).token }
        for admission in [JWTVerifier.Configuration.TokenCache.Admission.secondVerification, .firstVerification] {
            let verifier = try Self.verifier(admission: admission, capacity: 2)
            let cache = try #require(verifier.tokenCache)
            for _ in 0..<2 { _ = try await verifier.verify(repeated) }
            for token in others { _ = try await verifier.verify(token) }
            let kept = cache.lookup(VerifiedTokenCache.Key(repeated)) != nil
            // Near miss: storing every token, the four one-off tokens push it out of two entries.
            #expect(kept == (admission == .secondVerification))
            #expect(cache.statistics.entries == (admission == .secondVerification ? 1 : 2))
        }
    }

    @Test("the record of first verifications keeps one token per slot")
    func recordOverwritten() async throws {
        // Capacity 1: a record of one slot, which each first verification takes over.
        let verifier = try Self.verifier(admission: .secondVerification, capacity: 1)
        let cache = try #require(verifier.tokenCache)
        let a = try Helpers.token("es256-valid").token
        let b = try Helpers.token("eddsa-valid").token
        for token in [a, b, a] { _ = try await verifier.verify(token) }
        #expect(cache.statistics.entries == 0)  // b replaced a's record, then a replaced b's
        _ = try await verifier.verify(a)
        #expect(cache.lookup(VerifiedTokenCache.Key(a)) != nil)
    }
}
