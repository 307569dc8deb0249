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
        /// Multiplies ``RemoteJWKS/Configuration/refreshAheadFraction`` for a new or renewed snapshot.
        var refreshAhead: Double
        /// Multiplies the retry delay after a failure.
        var backoff: Double

        /// The range ``refreshAhead`` is drawn from: ±5 %.
        static let refreshAheadRange: ClosedRange<Double> = 0.95...1.05
        /// The range ``backoff`` is drawn from: ±20 %.
        static let backoffRange: ClosedRange<Double> = 0.8...1.2
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

    /// What a lookup does: its outcome, the fetch it starts (if any) and its events.
    struct LookupDecision: Sendable {
        enum Outcome: Sendable {
            case serve(JWTVerificationKey)
            case fail(JWTError)
            /// Suspend until fetch `generation` completes, then look up again with `afterRefresh`.
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
    private(set) var lastAttemptAt: Duration?
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
    /// (no snapshot, due for a refresh, unknown `kid`), which ``lookup(keyID:algorithm:afterRefresh:now:)``
    /// then decides. Changes nothing, so a verifier can ask this first on every token.
    func immediateKey(for keyID: String?, algorithm: JWTAlgorithm, now: Duration) -> JWTVerificationKey? {
        guard let snapshot, now < snapshot.refreshAt else { return nil }
        return snapshot.keys.cachedKey(for: keyID, algorithm: algorithm)
    }

    /// Decides a lookup of `keyID`.
    ///
    /// A usable snapshot (within ``RemoteJWKS/Configuration/maximumStaleness`` past its expiry)
    /// serves a known `kid` at once, starting a background fetch past the refresh-ahead point. An
    /// unknown `kid` waits for one fetch (joining the one in flight, or starting one outside the
    /// cooldown) and fails after it (`afterRefresh`). Without a usable snapshot, the lookup waits
    /// for a fetch unless the backoff forbids one, and fails with ``JWTError/Code/jwksUnavailable``
    /// after it.
    mutating func lookup(keyID: String?, algorithm: JWTAlgorithm, afterRefresh: Bool, now: Duration) -> LookupDecision {
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
                if afterRefresh { return LookupDecision(outcome: .fail(error)) }
                if refreshing {
                    return LookupDecision(outcome: .wait(generation: generation), events: [.unknownKeyID])
                }
                if let lastAttemptAt, now - lastAttemptAt < configuration.unknownKeyCooldown {
                    return LookupDecision(outcome: .fail(error), events: [.unknownKeyID, .cooldownDenial])
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
        if afterRefresh { return LookupDecision(outcome: .fail(unavailable)) }
        if refreshing { return LookupDecision(outcome: .wait(generation: generation)) }
        if let retryAt, now < retryAt {
            return LookupDecision(outcome: .fail(unavailable), events: [.backoffDenial])
        }
        let fetch = beginFetch(now: now)
        return LookupDecision(outcome: .wait(generation: fetch.generation), fetch: fetch)
    }

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
        }
        let refreshFraction = configuration.refreshAheadFraction * jitter.refreshAhead
        switch result {
        case .fresh(let keys, let ttl, let entityTag):
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

    /// How long ago the snapshot was fetched or confirmed, or `nil` without one.
    func snapshotAge(now: Duration) -> Duration? {
        snapshot.map { now - $0.fetchedAt }
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
        consecutiveFailures = 0
        retryAt = nil
        lastSuccess = date
        lastError = nil
        lastErrorAt = nil
    }

    private mutating func recordFailure(_ reason: String, now: Duration, date: Date, jitter: Jitter) -> [Event] {
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
