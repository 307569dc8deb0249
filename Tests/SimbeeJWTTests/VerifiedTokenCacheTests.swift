import Foundation
import NIOConcurrencyHelpers
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The verified-token cache: hits skip the signature, and every invalidation rule holds.
@Suite("Verified-token cache")
struct VerifiedTokenCacheTests {
    /// A wall clock the test moves.
    final class MovableClock: Sendable {
        private let seconds: NIOLockedValueBox<Double>
        init(_ start: Double) { seconds = NIOLockedValueBox(start) }
        func set(_ value: Double) { seconds.withLockedValue { $0 = value } }
        var closure: @Sendable () -> Date { { Date(timeIntervalSince1970: self.seconds.withLockedValue { $0 }) } }
    }

    /// A key source that counts lookups and can swap the key behind a kid.
    final class SwappableKeys: JWTKeySource {
        private let current: NIOLockedValueBox<JWKSet>
        let lookups = NIOLockedValueBox(0)
        init(_ keys: JWKSet) { current = NIOLockedValueBox(keys) }
        func replace(with keys: JWKSet) { current.withLockedValue { $0 = keys } }
        func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
            lookups.withLockedValue { $0 += 1 }
            return try current.withLockedValue { $0 }.key(for: keyID, algorithm: algorithm)
        }
    }

    static func verifier(
        keys: some JWTKeySource,
        clock: MovableClock,
        cache: JWTVerifier.Configuration.TokenCache? = .init()
    ) throws -> JWTVerifier {
        let manifest = try TestSupport.manifest()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = clock.closure
        return try JWTVerifier(keys: keys, configuration: .init(claims: claims, tokenCache: cache))
    }

    static func token(_ name: String) throws -> TestSupport.Manifest.Case {
        try #require(try TestSupport.manifest().cases.first { $0.name == name })
    }

    @Test("a repeated token is served from the cache with the same result")
    func hit() async throws {
        let clock = MovableClock(1_796_000_000)
        let verifier = try Self.verifier(keys: try TestSupport.fixtureKeySet(), clock: clock)
        let token = try Self.token("es256-valid").token
        let first = try await verifier.verify(token)
        let second = try await verifier.verify(token)
        #expect(first.claims == second.claims && first.payload == second.payload)
        let stats = try #require(verifier.tokenCache).statistics
        #expect(stats.entries == 1 && stats.hits == 1 && stats.misses == 1)
    }

    @Test("expiry between hits: the hit re-checks exp against the clock, refuses and evicts")
    func expiryBetweenHits() async throws {
        let clock = MovableClock(1_796_000_000)
        let verifier = try Self.verifier(keys: try TestSupport.fixtureKeySet(), clock: clock)
        let token = try Self.token("es256-valid").token  // exp = 1796000840, leeway 60 s
        _ = try await verifier.verify(token)
        clock.set(1_796_000_899.9)
        _ = try await verifier.verify(token)
        #expect(try #require(verifier.tokenCache).statistics.hits == 1)
        clock.set(1_796_000_900)
        await #expect(throws: JWTError.self) { _ = try await verifier.verify(token) }
        let error = await TestSupport.outcome(verifier, token)
        #expect(error == "expired")
        #expect(try #require(verifier.tokenCache).statistics.entries == 0)
    }

    @Test("a key that leaves the set invalidates the tokens it verified")
    func keyRemoved() async throws {
        let clock = MovableClock(1_796_000_000)
        let all = try TestSupport.fixtureKeySet()
        let keys = SwappableKeys(all)
        let verifier = try Self.verifier(keys: keys, clock: clock)
        let token = try Self.token("es256-valid").token
        _ = try await verifier.verify(token)
        keys.replace(with: try JWKSet(json: try RemoteJWKSHarness.document(["es256-b", "ed25519-a"])))
        #expect(await TestSupport.outcome(verifier, token) == "unknown_key")
        #expect(try #require(verifier.tokenCache).statistics.entries == 0)
    }

    @Test("a kid that now names other key material invalidates the entry and fails the signature")
    func keyReplaced() async throws {
        let clock = MovableClock(1_796_000_000)
        let keys = SwappableKeys(try TestSupport.fixtureKeySet())
        let verifier = try Self.verifier(keys: keys, clock: clock)
        let token = try Self.token("es256-valid").token
        _ = try await verifier.verify(token)
        // es256-b's key material published under the kid es256-a.
        var document = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as! [String: Any]
        var entry = (document["keys"] as! [[String: Any]]).first { $0["kid"] as? String == "es256-b" }!
        entry["kid"] = "es256-a"
        document["keys"] = [entry]
        keys.replace(with: try JWKSet(json: Array(try JSONSerialization.data(withJSONObject: document))))
        #expect(await TestSupport.outcome(verifier, token) == "invalid_signature")
    }

    @Test("through the remote JWKS: a key removed by a refresh invalidates cached tokens")
    func keyRemovedByRefresh() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a", "es256-b"], cacheControl: "max-age=600")
        let verifier = try harness.verifier()
        let token = try harness.token("es256-valid-keyops")  // kid es256-b
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        #expect(try #require(verifier.tokenCache).statistics.hits == 1)
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]), cacheControl: "max-age=600")
        harness.clock.advance(by: .seconds(520))  // past the refresh-ahead point (at most 85 %)
        _ = await harness.lookup("es256-a")  // starts the background refresh
        try await waitUntil { harness.keys.status.keyIDs == ["es256-a"] }
        #expect(await TestSupport.outcome(verifier, token) == "unknown_key")
    }

    @Test("the cache can be turned off: every call verifies from scratch")
    func disabled() async throws {
        let clock = MovableClock(1_796_000_000)
        let keys = SwappableKeys(try TestSupport.fixtureKeySet())
        let verifier = try Self.verifier(keys: keys, clock: clock, cache: nil)
        #expect(verifier.tokenCache == nil)
        let token = try Self.token("es256-valid").token
        for _ in 0..<3 { _ = try await verifier.verify(token) }
        #expect(keys.lookups.withLockedValue { $0 } == 3)
        // Without a cache, replacing the key material takes effect on the very next call.
        keys.replace(with: try JWKSet(json: try RemoteJWKSHarness.document(["ed25519-a"])))
        #expect(await TestSupport.outcome(verifier, token) == "unknown_key")
    }

    @Test("capacity: the oldest entry is evicted first")
    func capacity() async throws {
        let clock = MovableClock(1_796_000_000)
        var bounds = JWTVerifier.Configuration.TokenCache()
        bounds.capacity = 3
        let verifier = try Self.verifier(keys: try TestSupport.fixtureKeySet(), clock: clock, cache: bounds)
        let names = ["es256-valid", "es256-valid-keyops", "eddsa-valid", "es256-aud-array"]
        for name in names { _ = try await verifier.verify(try Self.token(name).token) }
        let cache = try #require(verifier.tokenCache)
        #expect(cache.statistics.entries == 3)
        #expect(cache.lookup(VerifiedTokenCache.Key(try Self.token("es256-valid").token)) == nil)
        #expect(cache.lookup(VerifiedTokenCache.Key(try Self.token("es256-aud-array").token)) != nil)
    }

    @Test("the memory bound evicts before it is exceeded")
    func memoryBound() async throws {
        let keySet = try TestSupport.fixtureKeySet()
        let key = try keySet.key(for: "es256-a", algorithm: .es256)
        let verifier = try Self.verifier(keys: keySet, clock: MovableClock(1_796_000_000), cache: nil)
        var verified: [(String, VerifiedJWT)] = []
        for name in ["es256-valid", "es256-aud-array", "es256-scope-string", "es256-high-s"] {
            let token = try Self.token(name).token
            verified.append((token, try await verifier.verify(token)))
        }
        // An entry costs its token, the memory its claims keep alive and a fixed overhead; room for
        // two of them.
        let costs = verified.map { $0.0.utf8.count + $0.1.claims.retainedByteCount + 256 }
        let bound = costs[2] + costs[3] + 10
        #expect(costs[1] + costs[2] + costs[3] > bound)
        let cache = VerifiedTokenCache(capacity: 100, maxBytes: bound)
        for (token, result) in verified { cache.insert(VerifiedTokenCache.Key(token), verified: result, key: key) }
        #expect(cache.statistics.entries == 2)
        #expect(
            cache.lookup(VerifiedTokenCache.Key(verified[3].0)) != nil
                && cache.lookup(VerifiedTokenCache.Key(verified[0].0)) == nil
        )
    }

    @Test("capacity follows maxBytes: no more slots set aside than 256-byte entries could fill")
    func capacityFollowsMaxBytes() {
        // A million slots for 64 KiB: at most 256 entries can ever fit, so 256 slots are made.
        #expect(VerifiedTokenCache(capacity: 1_000_000, maxBytes: 64 << 10).capacity == 256)
        #expect(
            VerifiedTokenCache(capacity: 1_000_000, maxBytes: 64 << 10, admitsOnSecondVerification: true).capacity
                == 256
        )
        // Near misses on either side of the bound, and the defaults, keep the configured capacity.
        #expect(VerifiedTokenCache(capacity: 256, maxBytes: 64 << 10).capacity == 256)
        #expect(VerifiedTokenCache(capacity: 257, maxBytes: 64 << 10).capacity == 256)
        #expect(VerifiedTokenCache(capacity: 255, maxBytes: 64 << 10).capacity == 255)
        #expect(VerifiedTokenCache(capacity: 10_000, maxBytes: 32 << 20).capacity == 10_000)
    }

    @Test("only successes are cached")
    func failuresNotCached() async throws {
        let clock = MovableClock(1_796_000_000)
        let verifier = try Self.verifier(keys: try TestSupport.fixtureKeySet(), clock: clock)
        for name in ["es256-bad-sig", "es256-expired", "es256-wrong-aud", "kid-unknown"] {
            let token = try Self.token(name).token
            _ = await TestSupport.outcome(verifier, token)
            _ = await TestSupport.outcome(verifier, token)
        }
        #expect(try #require(verifier.tokenCache).statistics.entries == 0)
    }

    @Test("the cache key is the exact bytes: a look-alike spelling is not a hit")
    func exactBytes() async throws {
        let clock = MovableClock(1_796_000_000)
        let verifier = try Self.verifier(keys: try TestSupport.fixtureKeySet(), clock: clock)
        let token = try Self.token("es256-valid").token
        _ = try await verifier.verify(token)
        // KELVIN SIGN is canonically equivalent to K, so Swift's String == would call these equal.
        let index = try #require(token.firstIndex(of: "K"))
        var lookalike = token
        lookalike.replaceSubrange(index...index, with: "\u{212A}")
        #expect(lookalike == token)  // Swift String equality says "same"…
        #expect(await TestSupport.outcome(verifier, lookalike) == "malformed")  // …the verifier does not.
    }

    @Test("an oversized token is refused before the cache hashes it")
    func sizeLimitBeforeCache() async throws {
        let verifier = try Self.verifier(keys: try TestSupport.fixtureKeySet(), clock: MovableClock(1_796_000_000))
        let huge = String(repeating: "a", count: 10 << 20)
        #expect(await TestSupport.outcome(verifier, huge) == "token_too_large")
        let stats = try #require(verifier.tokenCache).statistics
        #expect(stats.misses == 0 && stats.hits == 0)
    }

    @Test("out-of-range cache bounds are refused")
    func invalidBounds() throws {
        for (capacity, bytes) in [(0, 1 << 20), (2_000_000, 1 << 20), (10, 1_000)] {
            var bounds = JWTVerifier.Configuration.TokenCache()
            bounds.capacity = capacity
            bounds.maxBytes = bytes
            #expect(throws: JWTError.self) {
                try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(tokenCache: bounds))
            }
        }
    }
}
