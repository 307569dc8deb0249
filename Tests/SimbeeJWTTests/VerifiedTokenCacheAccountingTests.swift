import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The verified-token cache's byte accounting and its eviction ring, at their boundaries.
@Suite("Verified-token cache: byte accounting and eviction", .timeLimit(.minutes(1)))
struct VerifiedTokenCacheAccountingTests {
    typealias Helpers = VerifiedTokenCacheTests

    /// Verified fixture tokens (verified once, without a cache), with the key that verified them
    /// and what each costs as a cache entry: its bytes, the claims' memory and the fixed overhead.
    struct Verified {
        let token: String
        let result: VerifiedJWT
        var cost: Int { token.utf8.count + result.claims.retainedByteCount + VerifiedTokenCache.entryOverhead }
        var key: VerifiedTokenCache.Key { VerifiedTokenCache.Key(token) }
    }

    static func verified(_ names: [String]) async throws -> (tokens: [Verified], key: JWTVerificationKey) {
        let keySet = try TestSupport.fixtureKeySet()
        let key = try keySet.key(for: "es256-a", algorithm: .es256)
        let verifier = try Helpers.verifier(keys: keySet, clock: Helpers.MovableClock(1_796_000_000), cache: nil)
        var tokens: [Verified] = []
        for name in names {
            let token = try Helpers.token(name).token
            tokens.append(Verified(token: token, result: try await verifier.verify(token)))
        }
        return (tokens, key)
    }

    static func insert(_ token: Verified, into cache: VerifiedTokenCache, key: JWTVerificationKey) {
        cache.insert(token.key, verified: token.result, key: key)
    }

    static func held(_ cache: VerifiedTokenCache, _ token: Verified) -> Bool {
        cache.lookup(token.key) != nil
    }

    // MARK: Token cache: maxBytes boundaries

    @Test("an entry costing exactly maxBytes is stored; one byte more is not")
    func entryAtTheByteBound() async throws {
        let (tokens, key) = try await Self.verified(["es256-valid"])
        let a = tokens[0]
        let exact = VerifiedTokenCache(capacity: 100, maxBytes: a.cost)
        Self.insert(a, into: exact, key: key)
        #expect(exact.statistics.entries == 1)
        // Near miss: a bound one byte short of the entry's cost.
        let short = VerifiedTokenCache(capacity: 100, maxBytes: a.cost - 1)
        Self.insert(a, into: short, key: key)
        #expect(short.statistics.entries == 0)
    }

    @Test("entries that fill maxBytes exactly are all kept; one byte less evicts the oldest")
    func entriesFillingTheByteBound() async throws {
        let (tokens, key) = try await Self.verified(["es256-valid", "eddsa-valid"])
        let (a, b) = (tokens[0], tokens[1])
        let full = VerifiedTokenCache(capacity: 100, maxBytes: a.cost + b.cost)
        Self.insert(a, into: full, key: key)
        Self.insert(b, into: full, key: key)
        #expect(full.statistics.entries == 2)
        #expect(Self.held(full, a) && Self.held(full, b))
        // Near miss: one byte short of both, so the oldest goes.
        let short = VerifiedTokenCache(capacity: 100, maxBytes: a.cost + b.cost - 1)
        Self.insert(a, into: short, key: key)
        Self.insert(b, into: short, key: key)
        #expect(short.statistics.entries == 1)
        #expect(!Self.held(short, a) && Self.held(short, b))
    }

    // MARK: Token cache: removal and re-insertion

    @Test("a removed entry gives its bytes back: the memory bound then holds the tokens that fit")
    func removalReturnsBytes() async throws {
        let (tokens, key) = try await Self.verified(["es256-valid", "eddsa-valid"])
        let (a, b) = tokens[0].cost <= tokens[1].cost ? (tokens[0], tokens[1]) : (tokens[1], tokens[0])
        // Room for a and b together, not for a twice and b.
        let cache = VerifiedTokenCache(capacity: 100, maxBytes: a.cost + b.cost)
        Self.insert(a, into: cache, key: key)
        cache.remove(a.key)
        Self.insert(b, into: cache, key: key)
        Self.insert(a, into: cache, key: key)
        #expect(cache.statistics.entries == 2)
        #expect(Self.held(cache, a) && Self.held(cache, b))
    }

    @Test("a token inserted twice (two concurrent first verifications) is held and counted once")
    func duplicateInsertCountedOnce() async throws {
        let (tokens, key) = try await Self.verified(["es256-valid", "eddsa-valid", "es256-aud-array"])
        let sorted = tokens.sorted { $0.cost < $1.cost }
        let (a, b, c) = (sorted[0], sorted[1], sorted[2])
        // Room for b and c, not for a beside them.
        #expect(2 * a.cost <= b.cost + c.cost)
        let cache = VerifiedTokenCache(capacity: 100, maxBytes: b.cost + c.cost)
        Self.insert(a, into: cache, key: key)
        Self.insert(a, into: cache, key: key)
        #expect(cache.statistics.entries == 1)
        cache.remove(a.key)
        Self.insert(b, into: cache, key: key)
        Self.insert(c, into: cache, key: key)
        // Nothing of a is left to account for: b and c fit exactly.
        #expect(cache.statistics.entries == 2)
        #expect(Self.held(cache, b) && Self.held(cache, c))
    }

    @Test("eviction skips the stale slot of a removed entry and keeps its re-inserted successor")
    func staleSlotDoesNotEvictReinsertedEntry() async throws {
        let (tokens, key) = try await Self.verified(["es256-valid", "eddsa-valid", "es256-aud-array"])
        let (a, b, c) = (tokens[0], tokens[1], tokens[2])
        let cache = VerifiedTokenCache(capacity: 2, maxBytes: 1 << 20)
        Self.insert(a, into: cache, key: key)
        cache.remove(a.key)  // as a hit whose key changed does
        Self.insert(a, into: cache, key: key)  // verified again from scratch
        Self.insert(b, into: cache, key: key)  // the ring is full: its oldest slot is a's stale one
        #expect(Self.held(cache, a) && Self.held(cache, b))
        #expect(cache.statistics.entries == 2)
        // Near miss: the next insertion evicts the live, oldest entry, a.
        Self.insert(c, into: cache, key: key)
        #expect(!Self.held(cache, a) && Self.held(cache, b) && Self.held(cache, c))
    }
}
