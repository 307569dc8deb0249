public import Logging
public import Metrics
import NIOConcurrencyHelpers
public import ServiceLifecycle

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A JWK Set fetched over HTTPS and cached: the key source for verifiers of Simbee tokens.
///
/// The cache holds one immutable, pre-parsed snapshot of the whole set. A lookup of a cached `kid`
/// takes a short lock and never waits for I/O. Everything else is bounded:
/// - **Freshness**: `Cache-Control: max-age` (or `Expires`), clamped to 5 min … 24 h, 10 min by
///   default; refreshed ahead of expiry (at ~75 % of the lifetime) while the snapshot keeps serving;
///   conditional requests with `ETag`/`If-None-Match`.
/// - **Unknown `kid`**: one refresh shared by every concurrent caller, then one retry. A cooldown
///   (30 s from the last attempt) bounds these refreshes: inside it an unknown `kid` fails at once,
///   so a flood of random `kid`s costs at most one fetch per cooldown. A known `kid` never causes a
///   refresh, whatever its signature.
/// - **Failures** (connection, timeout, HTTP status, oversized or invalid body, no usable key): the
///   last good snapshot keeps serving for up to 24 h past its expiry while retries back off
///   (1 s doubling to 60 s, jittered); a failed refresh never evicts known keys. Before any snapshot,
///   or past that limit, lookups fail with ``JWTError/Code/jwksUnavailable``.
/// - **Limits**: `https` only (plain `http` for loopback hosts, or with an explicit opt-in), no
///   redirects, 2 s connect and 5 s request timeouts, 256 KiB body, 256 keys.
///
/// Run it as a swift-service-lifecycle `Service` to refresh in the background; without that,
/// lookups trigger refreshes themselves and still never wait when they have a usable key.
///
/// ```swift
/// let keys = try RemoteJWKS(issuer: "https://api.simbee.io")
/// let verifier = try JWTVerifier(keys: keys, configuration: .simbee(clientID: "cl_123"))
/// // optionally: serviceGroup services += [keys]
/// ```
public final class RemoteJWKS: JWTKeySource, Service, Sendable {
    /// The JWK Set URL.
    public let url: String

    let configuration: Configuration
    private let fetcher: any JWKSFetcher
    private let logger: Logger
    private let time: MonotonicTime
    private let wallClock: @Sendable () -> Date
    private let metrics: RemoteJWKSMetrics
    private let state = NIOLockedValueBox(State())

    /// Creates a cache for the JWK Set at `url`. Nothing is fetched until the first lookup (or until
    /// ``run()`` starts).
    ///
    /// - Parameters:
    ///   - url: An absolute `https` URL (`http` only for loopback hosts unless
    ///     ``Configuration/allowsInsecureHTTP`` is set).
    ///   - configuration: Lifetimes, cooldown, backoff, timeouts and limits.
    ///   - fetcher: The HTTP client to use; async-http-client by default.
    ///   - logger: Receives fetches, failures, skipped keys, cooldown denials and stale serving.
    ///   - metricsFactory: Where metrics go; the bootstrapped `MetricsSystem` by default.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` for an unacceptable URL or
    ///   configuration.
    public convenience init(
        url: String,
        configuration: Configuration = Configuration(),
        fetcher: any JWKSFetcher = HTTPJWKSFetcher(),
        logger: Logger = Logger(label: "SimbeeJWT.RemoteJWKS"),
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(JWTError) {
        try self.init(
            url: url,
            configuration: configuration,
            fetcher: fetcher,
            logger: logger,
            metricsFactory: metricsFactory,
            clock: ContinuousClock(),
            wallClock: { Date() }
        )
    }

    /// Creates a cache for an issuer's JWK Set at `<issuer>/.well-known/jwks.json`.
    ///
    /// - Parameters:
    ///   - issuer: The issuer URL, such as `https://api.simbee.io`.
    ///   - configuration: Lifetimes, cooldown, backoff, timeouts and limits.
    ///   - fetcher: The HTTP client to use; async-http-client by default.
    ///   - logger: Receives fetches, failures, skipped keys, cooldown denials and stale serving.
    ///   - metricsFactory: Where metrics go; the bootstrapped `MetricsSystem` by default.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` for an unacceptable URL or
    ///   configuration.
    public convenience init(
        issuer: String,
        configuration: Configuration = Configuration(),
        fetcher: any JWKSFetcher = HTTPJWKSFetcher(),
        logger: Logger = Logger(label: "SimbeeJWT.RemoteJWKS"),
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(JWTError) {
        try self.init(
            url: Self.wellKnownURL(issuer: issuer),
            configuration: configuration,
            fetcher: fetcher,
            logger: logger,
            metricsFactory: metricsFactory
        )
    }

    /// Creates a cache whose TTLs, cooldowns and backoff run on `clock` and whose wall-clock dates
    /// come from `wallClock`.
    ///
    /// - Warning: For tests that drive time by hand.
    @_spi(Testing) public init<C: Clock>(
        url: String,
        configuration: Configuration,
        fetcher: any JWKSFetcher,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?,
        clock: C,
        wallClock: @escaping @Sendable () -> Date
    ) throws(JWTError) where C.Duration == Duration {
        try configuration.validate()
        try Self.validate(url: url, allowsInsecureHTTP: configuration.allowsInsecureHTTP)
        self.url = url
        self.configuration = configuration
        self.fetcher = fetcher
        var logger = logger
        logger[metadataKey: "jwks.url"] = "\(url)"
        self.logger = logger
        self.time = MonotonicTime(clock)
        self.wallClock = wallClock
        self.metrics = RemoteJWKSMetrics(url: url, factory: metricsFactory)
    }

    /// `<issuer>/.well-known/jwks.json`, with a trailing slash of the issuer ignored.
    package static func wellKnownURL(issuer: String) -> String {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        return base + "/.well-known/jwks.json"
    }

    /// Accepts absolute `https` URLs, and `http` for loopback hosts or with the opt-in.
    static func validate(url: String, allowsInsecureHTTP: Bool) throws(JWTError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.asciiLowercased,
            let host = parsed.host, !host.isEmpty
        else {
            throw JWTError(.invalidConfiguration, "JWKS URL must be an absolute http(s) URL")
        }
        guard parsed.user == nil, parsed.password == nil else {
            throw JWTError(.invalidConfiguration, "JWKS URL must not carry credentials")
        }
        switch scheme {
        case "https":
            return
        case "http":
            guard isLoopback(host) || allowsInsecureHTTP else {
                throw JWTError(.invalidConfiguration, "JWKS URL must use https (plain http only for loopback hosts)")
            }
        default:
            throw JWTError(.invalidConfiguration, "JWKS URL must use https")
        }
    }

    /// `localhost`, `::1`, or an IPv4 address in 127.0.0.0/8 (a host name such as `127.example.com`
    /// is not loopback).
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) }),
            let first = UInt8(octets[0]), first == 127
        else { return false }
        return octets.dropFirst().allSatisfy { UInt8($0) != nil }
    }

    // MARK: Lookup

    /// The key for `keyID`, from the cached snapshot when it has it.
    ///
    /// Refreshes (at most once per call, shared with concurrent callers) when the `kid` is unknown
    /// and the cooldown allows, or when there is no usable snapshot yet.
    ///
    /// - Parameters:
    ///   - keyID: The token's `kid`, or `nil` when it has none.
    ///   - algorithm: The token's algorithm, used only to find the candidates for a token without `kid`.
    /// - Returns: The key with that `kid` in the current snapshot.
    /// - Throws: ``JWTError`` with ``JWTError/Code/unknownKey`` for a `kid` not in the set (after
    ///   the refresh, or at once inside the cooldown), or ``JWTError/Code/jwksUnavailable`` when no
    ///   usable snapshot can be had.
    public func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
        var refreshed = false
        while true {
            let decision = decide(keyID: keyID, algorithm: algorithm, afterRefresh: refreshed)
            if decision.startsRefresh { startRefresh(generation: decision.refreshGeneration) }
            decision.events.forEach(record)
            switch decision.outcome {
            case .key(let key):
                return key
            case .failure(let error):
                throw error
            case .awaitRefresh:
                await waitForRefresh(generation: decision.refreshGeneration)
                if Task.isCancelled {
                    throw JWTError(.jwksUnavailable, "cancelled while waiting for the JWK Set")
                }
                refreshed = true
            }
        }
    }

    private struct Decision {
        enum Outcome {
            case key(JWTVerificationKey)
            case failure(JWTError)
            case awaitRefresh
        }
        var outcome: Outcome
        var startsRefresh = false
        var refreshGeneration: UInt64 = 0
        var events: [Event] = []
    }

    private enum Event {
        case unknownKeyID
        case cooldownDenial
        case staleServe(age: Duration)
        case backoffDenial
    }

    /// The usual case, on every verification: a snapshot not yet due for a refresh that has the
    /// key. There is nothing to start or record, so the verifier asks this first and skips the
    /// general path of ``key(for:algorithm:)``, which a `nil` here leaves to decide everything
    /// (measured per ES256 verification through a loaded RemoteJWKS, before the verifier called
    /// this directly: 14 fewer lines of code to fetch into the instruction cache,
    /// `Benchmarks/Scripts/profile.sh --icache`; the lock does not cover reading the clock). The
    /// key is looked up under the lock rather than the key set copied out of it: the lookup is a
    /// few hundred instructions with no I/O, and the copy was four retains and releases of storage
    /// every verifying task shares (measured: about 250 instructions per ES256 verification).
    public func cachedKey(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey? {
        let now = time.now()
        return state.withLockedValue { state -> JWTVerificationKey? in
            guard let snapshot = state.snapshot, now < snapshot.refreshAt else { return nil }
            return snapshot.keys.cachedKey(for: keyID, algorithm: algorithm)
        }
    }

    /// Everything a lookup decides, under the lock and without I/O.
    private func decide(keyID: String?, algorithm: JWTAlgorithm, afterRefresh: Bool) -> Decision {
        state.withLockedValue { state -> Decision in
            let now = time.now()
            if let snapshot = state.snapshot, now < snapshot.expiresAt + configuration.maximumStaleness {
                let lookup = Result { () throws(JWTError) in try snapshot.keys.key(for: keyID, algorithm: algorithm) }
                switch lookup {
                case .success(let key):
                    var decision = Decision(outcome: .key(key))
                    if now >= snapshot.expiresAt { decision.events.append(.staleServe(age: now - snapshot.fetchedAt)) }
                    if now >= snapshot.refreshAt, state.mayStartRefresh(now: now) {
                        decision.startsRefresh = true
                        decision.refreshGeneration = state.beginRefresh(now: now)
                    }
                    return decision
                case .failure(let error):
                    // Unknown kid: refresh once if allowed, then retry once.
                    if afterRefresh { return Decision(outcome: .failure(error)) }
                    var decision = Decision(outcome: .awaitRefresh, events: [.unknownKeyID])
                    if state.refreshing {
                        decision.refreshGeneration = state.generation
                    } else if let last = state.lastAttemptAt, now - last < configuration.unknownKeyCooldown {
                        decision.outcome = .failure(error)
                        decision.events.append(.cooldownDenial)
                    } else {
                        decision.startsRefresh = true
                        decision.refreshGeneration = state.beginRefresh(now: now)
                    }
                    return decision
                }
            }

            // No snapshot, or one past the staleness limit: fail closed unless a refresh brings one.
            let unavailable = JWTError(.jwksUnavailable, state.unavailableReason)
            if afterRefresh { return Decision(outcome: .failure(unavailable)) }
            if state.refreshing {
                return Decision(outcome: .awaitRefresh, refreshGeneration: state.generation)
            }
            if let retryAt = state.retryAt, now < retryAt {
                return Decision(outcome: .failure(unavailable), events: [.backoffDenial])
            }
            return Decision(
                outcome: .awaitRefresh,
                startsRefresh: true,
                refreshGeneration: state.beginRefresh(now: now)
            )
        }
    }

    private func record(_ event: Event) {
        switch event {
        case .unknownKeyID:
            metrics.unknownKeyIDs.increment()
        case .cooldownDenial:
            metrics.cooldownDenials.increment()
            logger.debug("unknown kid refused without a refresh: inside the cooldown")
        case .staleServe(let age):
            metrics.staleServes.increment()
            logger.debug("serving a stale JWK Set", metadata: ["jwks.age_seconds": "\(Int(age.inSeconds))"])
        case .backoffDenial:
            logger.debug("no JWK Set yet; refresh backing off after failures")
        }
    }

    /// Suspends until refresh `generation` has finished, or this task is cancelled (the refresh
    /// itself carries on for the other callers).
    private func waitForRefresh(generation: UInt64) async {
        let waiterID = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.completedGeneration >= generation || Task.isCancelled { return true }
                    state.waiters[waiterID] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: waiterID) }?.resume()
        }
    }

    // MARK: Refresh

    /// Starts refresh `generation` in its own task, so that no caller's cancellation can stop it.
    private func startRefresh(generation: UInt64) {
        Task { await self.performRefresh(generation: generation) }
    }

    private enum FetchOutcome {
        case fresh(JWKSet, ttl: Duration, entityTag: String?)
        case notModified(ttl: Duration, entityTag: String?)
        case failure(String)
    }

    private func performRefresh(generation: UInt64) async {
        let entityTag = state.withLockedValue { $0.snapshot?.entityTag }
        let started = ContinuousClock.now
        let outcome = await fetch(entityTag: entityTag)
        metrics.fetchDuration.recordNanoseconds(Int64((ContinuousClock.now - started).inSeconds * 1e9))

        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            let now = time.now()
            switch outcome {
            case .fresh(let keys, let ttl, let entityTag):
                state.snapshot = Snapshot(
                    keys: keys,
                    fetchedAt: now,
                    ttl: ttl,
                    refreshFraction: jitteredRefreshFraction(),
                    entityTag: entityTag
                )
                state.recordSuccess(at: wallClock())
            case .notModified(let ttl, let entityTag):
                if var snapshot = state.snapshot {
                    snapshot.renew(at: now, ttl: ttl, refreshFraction: jitteredRefreshFraction())
                    if let entityTag { snapshot.entityTag = entityTag }
                    state.snapshot = snapshot
                    state.recordSuccess(at: wallClock())
                } else {
                    state.recordFailure(
                        "304 Not Modified without a cached set",
                        at: wallClock(),
                        retryAt: now + backoff(state.consecutiveFailures + 1)
                    )
                }
            case .failure(let reason):
                state.recordFailure(reason, at: wallClock(), retryAt: now + backoff(state.consecutiveFailures + 1))
            }
            state.refreshing = false
            state.completedGeneration = generation
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiters
        }
        // Log and count first, so that a caller who sees the outcome also finds it reported.
        report(outcome)
        for waiter in waiters { waiter.resume() }
    }

    private func report(_ outcome: FetchOutcome) {
        switch outcome {
        case .fresh(let keys, let ttl, _):
            metrics.fetchSuccesses.increment()
            metrics.snapshotAge.record(0)
            logger.info(
                "fetched JWK Set",
                metadata: ["jwks.keys": "\(keys.count)", "jwks.ttl_seconds": "\(Int(ttl.inSeconds))"]
            )
            for skipped in keys.skippedKeys {
                logger.warning("JWK skipped", metadata: ["jwks.skipped": "\(skipped)"])
            }
        case .notModified:
            metrics.fetchNotModified.increment()
            metrics.snapshotAge.record(0)
            logger.debug("JWK Set not modified")
        case .failure(let reason):
            metrics.fetchFailures.increment()
            let (failures, stale) = state.withLockedValue { state in
                (state.consecutiveFailures, state.snapshot.map { time.now() >= $0.expiresAt } ?? false)
            }
            logger.warning(
                "JWK Set refresh failed",
                metadata: [
                    "jwks.error": "\(reason)", "jwks.consecutive_failures": "\(failures)",
                    "jwks.serving_stale": "\(stale)",
                ]
            )
        }
    }

    /// One fetch with every limit applied, reduced to an outcome. Never throws, never hangs past the
    /// request timeout even if a custom fetcher ignores it.
    private func fetch(entityTag: String?) async -> FetchOutcome {
        let request = JWKSFetchRequest(
            url: url,
            entityTag: entityTag,
            connectTimeout: configuration.connectTimeout,
            timeout: configuration.requestTimeout,
            maxBodyBytes: configuration.maxBodyBytes
        )
        let response: JWKSFetchResponse
        do {
            response = try await withDeadline(configuration.requestTimeout + .milliseconds(250)) { [fetcher] in
                try await fetcher.fetch(request)
            }
        } catch {
            return .failure("fetch failed: \(String(describing: error).prefix(200))")
        }
        let ttl = CacheLifetime.ttl(
            cacheControl: response.cacheControl,
            expires: response.expires,
            date: response.date,
            nowUnixSeconds: wallClock().timeIntervalSince1970,
            defaultTTL: configuration.defaultTTL,
            minimumTTL: configuration.minimumTTL,
            maximumTTL: configuration.maximumTTL
        )
        switch response.status {
        case 200:
            guard response.body.count <= configuration.maxBodyBytes else {
                return .failure("response body is larger than \(configuration.maxBodyBytes) bytes")
            }
            var limits = JWKSet.Limits()
            limits.maxBytes = configuration.maxBodyBytes
            limits.maxKeys = configuration.maxKeys
            do {
                return .fresh(try JWKSet(json: response.body, limits: limits), ttl: ttl, entityTag: response.entityTag)
            } catch {
                return .failure(error.message)
            }
        case 304 where entityTag != nil:
            return .notModified(ttl: ttl, entityTag: response.entityTag)
        default:
            return .failure("unexpected HTTP status \(response.status)")
        }
    }

    private func jitteredRefreshFraction() -> Double {
        configuration.refreshAheadFraction * Double.random(in: 0.95...1.05)
    }

    /// The retry delay after `failures` consecutive failures: doubling from the initial backoff,
    /// capped, with ±20 % jitter.
    private func backoff(_ failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let base = min(configuration.initialBackoff * (1 << exponent), configuration.maximumBackoff)
        return base * Double.random(in: 0.8...1.2)
    }

    // MARK: Service

    /// Refreshes in the background until cancelled or until graceful shutdown: the first load at
    /// once, then ahead of each expiry, retrying with backoff after failures.
    ///
    /// Lookups keep working after `run()` returns; they then refresh on demand again.
    ///
    /// - Throws: Nothing in practice: failed refreshes are retried, not thrown, and cancellation
    ///   ends the loop normally.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let (delay, generation) = self.nextServiceStep()
                if let generation {
                    self.startRefresh(generation: generation)
                    await self.waitForRefresh(generation: generation)
                } else if let delay {
                    // Cancellation (graceful shutdown) ends the loop.
                    guard (try? await self.time.sleep(delay)) != nil else { return }
                } else {
                    // A lookup's refresh is in flight: wait for it, then plan again.
                    let current = self.state.withLockedValue { $0.generation }
                    await self.waitForRefresh(generation: current)
                }
            }
        }
    }

    /// What the service loop does next: start a refresh now (its generation), sleep, or (both
    /// `nil`) wait for a refresh already in flight.
    private func nextServiceStep() -> (delay: Duration?, generation: UInt64?) {
        state.withLockedValue { state in
            if state.refreshing { return (nil, nil) }
            let now = time.now()
            var due = state.snapshot?.refreshAt ?? now
            if let retryAt = state.retryAt { due = max(due, retryAt) }
            if now >= due { return (nil, state.beginRefresh(now: now)) }
            return (due - now, nil)
        }
    }

    // MARK: Status

    /// The cache's health, for readiness checks and dashboards.
    public var status: Status {
        state.withLockedValue { state in
            let now = time.now()
            let snapshot = state.snapshot
            let usable = snapshot.map { now < $0.expiresAt + configuration.maximumStaleness } ?? false
            if let snapshot { metrics.snapshotAge.record((now - snapshot.fetchedAt).inSeconds) }
            return Status(
                url: url,
                lastSuccess: state.lastSuccess,
                lastError: state.lastError,
                lastErrorAt: state.lastErrorAt,
                consecutiveFailures: state.consecutiveFailures,
                keyCount: snapshot?.keys.count ?? 0,
                keyIDs: snapshot?.keys.keyIDs ?? [],
                isStale: snapshot.map { now >= $0.expiresAt } ?? false,
                isUsable: usable
            )
        }
    }
}

// MARK: - State

extension RemoteJWKS {
    /// One fetched set and its timing, in monotonic time since the cache was created.
    struct Snapshot {
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

    struct State {
        var snapshot: Snapshot?
        var refreshing = false
        /// Incremented when a refresh starts; `completedGeneration` catches up when it ends.
        var generation: UInt64 = 0
        var completedGeneration: UInt64 = 0
        var lastAttemptAt: Duration?
        var retryAt: Duration?
        var consecutiveFailures = 0
        var lastSuccess: Date?
        var lastError: String?
        var lastErrorAt: Date?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0

        /// A background refresh may start: none in flight and not backing off.
        func mayStartRefresh(now: Duration) -> Bool {
            !refreshing && (retryAt.map { now >= $0 } ?? true)
        }

        mutating func beginRefresh(now: Duration) -> UInt64 {
            refreshing = true
            lastAttemptAt = now
            generation += 1
            return generation
        }

        mutating func recordSuccess(at date: Date) {
            consecutiveFailures = 0
            retryAt = nil
            lastSuccess = date
            lastError = nil
            lastErrorAt = nil
        }

        mutating func recordFailure(_ reason: String, at date: Date, retryAt: Duration) {
            consecutiveFailures += 1
            self.retryAt = retryAt
            lastError = reason
            lastErrorAt = date
        }

        var unavailableReason: String {
            if snapshot != nil { return "JWK Set is too stale to use and could not be refreshed" }
            return lastError.map { "JWK Set could not be loaded: \($0)" } ?? "JWK Set could not be loaded"
        }
    }
}
