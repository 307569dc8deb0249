#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The decisions of a ``RemoteJWKS``, as a value with no I/O: which snapshot serves, when to
/// fetch, who waits for which fetch, how long to back off, and what to log and count.
///
/// Lookups, fetch results and service-loop queries come in with the monotonic time (`now`, time
/// since the cache was created) and any jitter already drawn; actions come out as values for the
/// caller to run after it lets go of its lock: serve a key, fail, start fetch generation N, wait
/// for generation N, sleep, and the events to log and count. The caller owns the lock, the clock,
/// the randomness and the waiting tasks.
struct RemoteJWKSStateMachine: Sendable {
    /// One fetched set and its timing, in monotonic time.
    struct Snapshot: Sendable {
        let keys: JWKSet
        private(set) var fetchedAt: Duration
        private(set) var expiresAt: Duration
        private(set) var refreshAt: Duration
        var entityTag: String?

        init(keys: JWKSet, fetchedAt: Duration, ttl: Duration, refreshFraction: Double, entityTag: String?) {
            self.keys = keys
            self.fetchedAt = fetchedAt
            self.expiresAt = fetchedAt + ttl
            self.refreshAt = fetchedAt + ttl * refreshFraction
            self.entityTag = entityTag
        }

        mutating func renew(at now: Duration, ttl: Duration, refreshFraction: Double) {
            fetchedAt = now
            expiresAt = now + ttl
            refreshAt = now + ttl * refreshFraction
        }
    }

    /// A fetch to start: its generation, and the `ETag` to send as `If-None-Match`.
    struct Fetch: Sendable, Hashable {
        let generation: UInt64
        let entityTag: String?
    }

    /// What one fetch brought back.
    enum FetchResult: Sendable {
        case fresh(JWKSet, ttl: Duration, entityTag: String?)
        case notModified(ttl: Duration, entityTag: String?)
        case failure(String)
    }

    /// The random factors a fetch result applies, drawn by the caller so that this type stays
    /// deterministic.
    struct Jitter: Sendable {
        /// The fraction of the lifetime after which a new or renewed snapshot is refreshed, drawn
        /// from ``RemoteJWKS/Configuration/refreshAheadWindow``.
        var refreshFraction: Double
        /// Multiplies the retry delay after a failure.
        var backoff: Double

        /// The range ``backoff`` is drawn from: half to one and a half times the delay, so that
        /// instances that failed together retry apart.
        static let backoffRange: ClosedRange<Double> = 0.5...1.5

        /// Factors drawn at random.
        static func random(refreshWindow: ClosedRange<Double>) -> Jitter {
            Jitter(refreshFraction: .random(in: refreshWindow), backoff: .random(in: backoffRange))
        }
    }

    /// Something to log or count.
    enum Event: Sendable, Hashable {
        case unknownKeyID
        case cooldownDenial
        case staleServe(age: Duration)
        case backoffDenial
        case fetched(keyCount: Int, ttl: Duration, skipped: [JWKSet.SkippedKey])
        case notModified
        case fetchFailed(reason: String, consecutiveFailures: Int, servingStale: Bool)
    }

    /// The figures the cache's gauges show, read together.
    struct Gauges: Sendable, Hashable {
        /// When the set was last fetched or confirmed, in Unix seconds.
        var lastSuccessUnixSeconds: Double?
        var isUsable: Bool
        var consecutiveFailures: Int
        var keyCount: Int
        /// Time since the snapshot was fetched or confirmed.
        var snapshotAge: Duration?
    }

    /// What a lookup does: its outcome, the fetch it starts (if any) and its events.
    struct LookupDecision: Sendable {
        enum Outcome: Sendable {
            case serve(JWTVerificationKey)
            case fail(JWTError)
            /// Suspend until fetch `generation` completes, then look up again, passing the time of
            /// the first lookup as `askedAt`.
            case wait(generation: UInt64)
        }
        var outcome: Outcome
        var fetch: Fetch?
        var events: [Event] = []
    }

    /// What the background service does next.
    enum ServiceStep: Sendable, Hashable {
        /// Start this fetch and wait for it.
        case startFetch(Fetch)
        /// Nothing is due for this long.
        case sleep(Duration)
        /// A lookup's fetch is in flight: wait for it, then ask again.
        case wait(generation: UInt64)
    }

    let configuration: RemoteJWKS.Configuration
    private(set) var snapshot: Snapshot?
    private(set) var refreshing = false
    /// Incremented when a fetch starts; `completedGeneration` catches up when it ends.
    private(set) var generation: UInt64 = 0
    private(set) var completedGeneration: UInt64 = 0
    /// When the fetch in flight, or else the last one, started.
    private(set) var lastAttemptAt: Duration?
    /// When the last completed fetch started, and whether it failed.
    private(set) var lastCompletedStart: Duration?
    private(set) var lastFetchFailed = false
    /// When the last follow-up fetch for an unknown `kid` started.
    private(set) var lastFollowUpAt: Duration?
    private(set) var retryAt: Duration?
    private(set) var consecutiveFailures = 0
    private(set) var lastSuccess: Date?
    private(set) var lastError: String?
    private(set) var lastErrorAt: Date?

    init(configuration: RemoteJWKS.Configuration) {
        self.configuration = configuration
    }

    // MARK: Lookup

    /// The key when a snapshot not yet due for a refresh has it, and `nil` for anything else
    /// (no snapshot, due for a refresh, unknown `kid`), which ``lookup(keyID:algorithm:askedAt:now:)``
    /// then decides. Changes nothing, so a verifier can ask this first on every token.
    func immediateKey(for keyID: String?, algorithm: JWTAlgorithm, now: Duration) -> JWTVerificationKey? {
        guard let snapshot, now < snapshot.refreshAt else { return nil }
        return snapshot.keys.cachedKey(for: keyID, algorithm: algorithm)
    }

    /// Decides a lookup of `keyID`.
    ///
    /// A usable snapshot (within ``RemoteJWKS/Configuration/maximumStaleness`` past its expiry)
    /// serves a known `kid` at once, starting a background fetch past the refresh-ahead point. An
    /// unknown `kid` waits for a fetch that started no earlier than it was asked for (joining the
    /// one in flight, and once that completes, one follow-up fetch when it had started earlier) and
    /// fails after it; inside the cooldown it fails at once. It fails as
    /// ``JWTError/Code/jwksUnavailable`` rather than ``JWTError/Code/unknownKey`` when the fetch
    /// that decides it failed, or when a failed attempt started the cooldown: the key set could
    /// not be checked, which says nothing against the token. Without a usable snapshot, the lookup
    /// waits for a fetch unless the backoff forbids one, and fails with
    /// ``JWTError/Code/jwksUnavailable`` after it.
    ///
    /// - Parameters:
    ///   - askedAt: `nil` on the first call; after a wait, the `now` of the first call.
    ///   - now: The monotonic time.
    mutating func lookup(keyID: String?, algorithm: JWTAlgorithm, askedAt: Duration?, now: Duration) -> LookupDecision {
        if let snapshot, now < snapshot.expiresAt + configuration.maximumStaleness {
            let found = Result { () throws(JWTError) in try snapshot.keys.key(for: keyID, algorithm: algorithm) }
            switch found {
            case .success(let key):
                var decision = LookupDecision(outcome: .serve(key))
                if now >= snapshot.expiresAt { decision.events.append(.staleServe(age: now - snapshot.fetchedAt)) }
                if now >= snapshot.refreshAt, mayStartRefresh(now: now) {
                    decision.fetch = beginFetch(now: now)
                }
                return decision
            case .failure(let error):
                if let askedAt { return lookupAfterRefresh(missing: error, askedAt: askedAt, now: now) }
                if refreshing {
                    return LookupDecision(outcome: .wait(generation: generation), events: [.unknownKeyID])
                }
                if let lastAttemptAt, now - lastAttemptAt < configuration.unknownKeyCooldown {
                    let outcome = lastFetchFailed ? JWTError(.jwksUnavailable, Self.uncheckedKeyReason) : error
                    return LookupDecision(outcome: .fail(outcome), events: [.unknownKeyID, .cooldownDenial])
                }
                let fetch = beginFetch(now: now)
                return LookupDecision(
                    outcome: .wait(generation: fetch.generation),
                    fetch: fetch,
                    events: [.unknownKeyID]
                )
            }
        }

        // No snapshot, or one past the staleness limit: fail closed unless a fetch brings one.
        let unavailable = JWTError(.jwksUnavailable, unavailableReason)
        if askedAt != nil { return LookupDecision(outcome: .fail(unavailable)) }
        if refreshing { return LookupDecision(outcome: .wait(generation: generation)) }
        if let retryAt, now < retryAt {
            return LookupDecision(outcome: .fail(unavailable), events: [.backoffDenial])
        }
        let fetch = beginFetch(now: now)
        return LookupDecision(outcome: .wait(generation: fetch.generation), fetch: fetch)
    }

    /// An unknown `kid` once the fetch it waited for has completed: refused when a fetch that
    /// started no earlier than the lookup has answered; otherwise (it joined a fetch already under
    /// way, whose answer may predate a key published a moment ago) one follow-up fetch, shared as
    /// usual. Follow-ups start at most once per cooldown, so that a steady flood of unknown `kid`s
    /// costs at most two fetches per cooldown.
    private mutating func lookupAfterRefresh(missing error: JWTError, askedAt: Duration, now: Duration)
        -> LookupDecision
    {
        if lastFetchFailed {
            return LookupDecision(outcome: .fail(JWTError(.jwksUnavailable, Self.uncheckedKeyReason)))
        }
        if let lastCompletedStart, lastCompletedStart >= askedAt { return LookupDecision(outcome: .fail(error)) }
        // A fetch under way now started after the one waited for had answered: after the lookup.
        if refreshing { return LookupDecision(outcome: .wait(generation: generation)) }
        if let lastFollowUpAt, now - lastFollowUpAt < configuration.unknownKeyCooldown {
            return LookupDecision(outcome: .fail(error), events: [.cooldownDenial])
        }
        lastFollowUpAt = now
        let fetch = beginFetch(now: now)
        return LookupDecision(outcome: .wait(generation: fetch.generation), fetch: fetch)
    }

    /// Why an unknown `kid` is answered as an outage.
    static let uncheckedKeyReason = "the JWK Set could not be refreshed, so the token's kid could not be checked"

    /// Whether a caller waiting for fetch `generation` may go on.
    func hasCompleted(generation: UInt64) -> Bool {
        completedGeneration >= generation
    }

    // MARK: Fetch results

    /// Records the result of fetch `generation` and returns the events to report. The caller then
    /// resumes everyone waiting for it.
    ///
    /// - Parameters:
    ///   - now: The monotonic time the result arrived.
    ///   - date: The wall-clock time, for ``RemoteJWKS/Status``.
    mutating func fetchCompleted(
        generation: UInt64,
        _ result: FetchResult,
        now: Duration,
        date: Date,
        jitter: Jitter
    ) -> [Event] {
        defer {
            refreshing = false
            completedGeneration = generation
            lastCompletedStart = lastAttemptAt
        }
        let refreshFraction = jitter.refreshFraction
        switch result {
        case .fresh(let fetched, let ttl, let entityTag):
            // Keys that did not change stay the same objects, so that the verified-token cache,
            // which checks that a token's key is still the one that verified it, keeps its entries.
            let keys = snapshot.map { fetched.keepingUnchangedKeys(of: $0.keys) } ?? fetched
            snapshot = Snapshot(
                keys: keys,
                fetchedAt: now,
                ttl: ttl,
                refreshFraction: refreshFraction,
                entityTag: entityTag
            )
            recordSuccess(at: date)
            return [.fetched(keyCount: keys.count, ttl: ttl, skipped: keys.skippedKeys)]
        case .notModified(let ttl, let entityTag):
            guard var renewed = snapshot else {
                return recordFailure("304 Not Modified without a cached set", now: now, date: date, jitter: jitter)
            }
            renewed.renew(at: now, ttl: ttl, refreshFraction: refreshFraction)
            if let entityTag { renewed.entityTag = entityTag }
            snapshot = renewed
            recordSuccess(at: date)
            return [.notModified]
        case .failure(let reason):
            return recordFailure(reason, now: now, date: date, jitter: jitter)
        }
    }

    /// The retry delay after `failures` consecutive failures: doubling from the initial backoff,
    /// capped at the maximum, times the jitter.
    func backoff(afterFailures failures: Int, jitter: Double) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let base = min(configuration.initialBackoff * (1 << exponent), configuration.maximumBackoff)
        return base * jitter
    }

    // MARK: Service

    /// The background service's next step: a fetch when the refresh-ahead point (or, after
    /// failures, the retry time) has come, otherwise a sleep until then; a wait when a fetch is
    /// already in flight.
    mutating func nextServiceStep(now: Duration) -> ServiceStep {
        if refreshing { return .wait(generation: generation) }
        var due = snapshot?.refreshAt ?? now
        if let retryAt { due = max(due, retryAt) }
        if now >= due { return .startFetch(beginFetch(now: now)) }
        return .sleep(due - now)
    }

    /// A fetch asked for by hand (``RemoteJWKS/refresh()``): the one in flight, or a new one unless
    /// an attempt started inside the unknown-`kid` cooldown; `nil` when the cooldown forbids it.
    mutating func manualRefresh(now: Duration) -> ServiceStep? {
        if refreshing { return .wait(generation: generation) }
        if let lastAttemptAt, now - lastAttemptAt < configuration.unknownKeyCooldown { return nil }
        return .startFetch(beginFetch(now: now))
    }

    /// A first load asked for by hand (``RemoteJWKS/load()``): nothing when a usable snapshot is
    /// there, the fetch in flight, or a new one unless the backoff forbids it (`nil`).
    mutating func warmUp(now: Duration) -> ServiceStep? {
        if let snapshot, now < snapshot.expiresAt + configuration.maximumStaleness { return .sleep(.zero) }
        if refreshing { return .wait(generation: generation) }
        if let retryAt, now < retryAt { return nil }
        return .startFetch(beginFetch(now: now))
    }

    // MARK: Status

    /// The cache's health at `now`.
    func status(url: String, now: Duration) -> RemoteJWKS.Status {
        RemoteJWKS.Status(
            url: url,
            lastSuccess: lastSuccess,
            lastError: lastError,
            lastErrorAt: lastErrorAt,
            consecutiveFailures: consecutiveFailures,
            keyCount: snapshot?.keys.count ?? 0,
            keyIDs: snapshot?.keys.keyIDs ?? [],
            isStale: snapshot.map { now >= $0.expiresAt } ?? false,
            isUsable: snapshot.map { now < $0.expiresAt + configuration.maximumStaleness } ?? false
        )
    }

    /// Why the last completed fetch failed, or `nil` when it succeeded (or none has completed).
    var lastFailure: String? {
        lastFetchFailed ? lastError : nil
    }

    /// The figures for the cache's gauges at `now`.
    func gauges(now: Duration) -> Gauges {
        Gauges(
            lastSuccessUnixSeconds: lastSuccess?.timeIntervalSince1970,
            isUsable: snapshot.map { now < $0.expiresAt + configuration.maximumStaleness } ?? false,
            consecutiveFailures: consecutiveFailures,
            keyCount: snapshot?.keys.count ?? 0,
            snapshotAge: snapshot.map { now - $0.fetchedAt }
        )
    }

    // MARK: Transitions

    /// A background fetch may start: none in flight and not backing off.
    private func mayStartRefresh(now: Duration) -> Bool {
        !refreshing && (retryAt.map { now >= $0 } ?? true)
    }

    private mutating func beginFetch(now: Duration) -> Fetch {
        refreshing = true
        lastAttemptAt = now
        generation += 1
        return Fetch(generation: generation, entityTag: snapshot?.entityTag)
    }

    private mutating func recordSuccess(at date: Date) {
        lastFetchFailed = false
        consecutiveFailures = 0
        retryAt = nil
        lastSuccess = date
        lastError = nil
        lastErrorAt = nil
    }

    private mutating func recordFailure(_ reason: String, now: Duration, date: Date, jitter: Jitter) -> [Event] {
        lastFetchFailed = true
        consecutiveFailures += 1
        retryAt = now + backoff(afterFailures: consecutiveFailures, jitter: jitter.backoff)
        lastError = reason
        lastErrorAt = date
        let servingStale = snapshot.map { now >= $0.expiresAt } ?? false
        return [.fetchFailed(reason: reason, consecutiveFailures: consecutiveFailures, servingStale: servingStale)]
    }

    private var unavailableReason: String {
        if snapshot != nil { return "JWK Set is too stale to use and could not be refreshed" }
        return lastError.map { "JWK Set could not be loaded: \($0)" } ?? "JWK Set could not be loaded"
    }
}
