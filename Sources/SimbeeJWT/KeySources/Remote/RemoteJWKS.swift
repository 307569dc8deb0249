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
///   default, less the response's `Age`; refreshed ahead of expiry (at a random 60–85 % of the
///   lifetime, so that a fleet spreads its refreshes) while the snapshot keeps serving; conditional
///   requests with `ETag`/`If-None-Match`.
/// - **Unknown `kid`**: one refresh shared by every concurrent caller, then one retry (and one
///   follow-up when the refresh it joined had started before it asked). A cooldown (30 s from the
///   last attempt) bounds these refreshes: inside it an unknown `kid` fails at once, so a flood of
///   random `kid`s costs at most two fetches per cooldown. A known `kid` never causes a refresh,
///   whatever its signature. When the deciding refresh failed, the answer is
///   ``JWTError/Code/jwksUnavailable``, not ``JWTError/Code/unknownKey``.
/// - **Failures** (connection, timeout, HTTP status, oversized or invalid body, no usable key): the
///   last good snapshot keeps serving for up to 24 h past its expiry while retries back off
///   (1 s doubling to 60 s, each delay times 0.5 … 1.5); a failed refresh never evicts known keys.
///   Before any snapshot, or past that limit, lookups fail with ``JWTError/Code/jwksUnavailable``.
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
    /// The issuer this set was located from, as given to
    /// ``init(issuer:configuration:fetcher:logger:metricsFactory:)``; `nil` for a set given by URL.
    /// A verifier over this source whose policy names no issuer requires this one.
    public let issuer: String?

    /// The most callers that wait for one fetch. A lookup that would wait beyond them is answered
    /// at once with ``JWTError/Code/jwksUnavailable``, so a burst of requests during a slow fetch
    /// cannot pile up without bound.
    public static let maximumWaiters = 1_024
    /// The longest the service sleeps between looks at the cache, so that its gauges stay current
    /// through an idle or failing spell.
    static let maximumServiceSleep: Duration = .seconds(60)

    private let configuration: Configuration
    private let loader: JWKSLoader
    private let logger: Logger
    private let time: MonotonicTime
    private let wallClock: @Sendable () -> Date
    private let metrics: RemoteJWKSMetrics
    private let state: NIOLockedValueBox<LockedState>
    /// Held while the gauges are read and recorded, so that two recordings cannot pass each other
    /// and leave an older value behind. Verifications never take it.
    private let gaugeLock = NIOLock()
    /// Wakes the service loop when a fetch completes.
    private let fetchCompleted = ChangeSignal()

    /// The state machine and the tasks waiting for its fetches, under one lock.
    private struct LockedState {
        var machine: RemoteJWKSStateMachine
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// The waiters that count against ``RemoteJWKS/maximumWaiters``: lookups.
        var boundedWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
    }

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
    /// The keys are that issuer's, so a ``JWTVerifier`` over this source whose
    /// ``ClaimsPolicy/issuer`` is `nil` requires `iss` to be exactly `issuer` (RFC 8725 §3.8: an
    /// issuer that signs for several tenants with one key set tells them apart only by `iss`). Set
    /// ``ClaimsPolicy/issuer`` when the tokens' `iss` is spelled differently from the URL given
    /// here; use ``init(url:configuration:fetcher:logger:metricsFactory:)`` for a set whose tokens
    /// may name any issuer.
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
            url: try JWKSURLPolicy.wellKnownURL(issuer: issuer),
            issuer: issuer,
            configuration: configuration,
            fetcher: fetcher,
            logger: logger,
            metricsFactory: metricsFactory,
            clock: ContinuousClock(),
            wallClock: { Date() }
        )
    }

    /// Creates a cache whose TTLs, cooldowns and backoff run on `clock` and whose wall-clock dates
    /// come from `wallClock`; `issuer` is the one
    /// ``init(issuer:configuration:fetcher:logger:metricsFactory:)`` located the set from, if any.
    ///
    /// - Warning: For tests that drive time by hand.
    @_spi(Testing) public init<C: Clock>(
        url: String,
        issuer: String? = nil,
        configuration: Configuration,
        fetcher: any JWKSFetcher,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?,
        clock: C,
        wallClock: @escaping @Sendable () -> Date
    ) throws(JWTError) where C.Duration == Duration {
        try configuration.validate()
        try JWKSURLPolicy.validate(url: url, allowsInsecureHTTP: configuration.allowsInsecureHTTP)
        self.url = url
        self.issuer = issuer
        self.configuration = configuration
        self.loader = JWKSLoader(url: url, configuration: configuration, fetcher: fetcher, wallClock: wallClock)
        var logger = logger
        logger[metadataKey: "jwks.url"] = "\(url)"
        self.logger = logger
        self.time = MonotonicTime(clock)
        self.wallClock = wallClock
        self.metrics = RemoteJWKSMetrics(url: url, factory: metricsFactory)
        self.state = NIOLockedValueBox(LockedState(machine: RemoteJWKSStateMachine(configuration: configuration)))
    }

    /// `<issuer>/.well-known/jwks.json`, with a trailing slash of the issuer ignored; throws for an
    /// issuer with a query or a fragment.
    package static func wellKnownURL(issuer: String) throws(JWTError) -> String {
        try JWKSURLPolicy.wellKnownURL(issuer: issuer)
    }

    // MARK: Lookup

    /// The key for `keyID`, from the cached snapshot when it has it.
    ///
    /// Refreshes (shared with concurrent callers) when the `kid` is unknown and the cooldown allows,
    /// or when there is no usable snapshot yet.
    ///
    /// - Parameters:
    ///   - keyID: The token's `kid`, or `nil` when it has none.
    ///   - algorithm: The token's algorithm, used only to find the candidates for a token without `kid`.
    /// - Returns: The key with that `kid` in the current snapshot.
    /// - Throws: ``JWTError`` with ``JWTError/Code/unknownKey`` for a `kid` not in the set (after
    ///   the refresh, or at once inside the cooldown); ``JWTError/Code/jwksUnavailable`` when no
    ///   usable snapshot can be had, when the refresh that would decide an unknown `kid` failed (or
    ///   a failed attempt started the cooldown), or when ``maximumWaiters`` callers already wait;
    ///   ``JWTError/Code/cancelled`` when this task is cancelled while it waits.
    public func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
        var askedAt: Duration?
        while true {
            let now = time.now()
            let decision = state.withLockedValue { state in
                state.machine.lookup(keyID: keyID, algorithm: algorithm, askedAt: askedAt, now: now)
            }
            if let fetch = decision.fetch { startRefresh(fetch) }
            decision.events.forEach(record)
            switch decision.outcome {
            case .serve(let key):
                return key
            case .fail(let error):
                throw error
            case .wait(let generation):
                try await waitForRefresh(generation: generation, bounded: true)
                askedAt = askedAt ?? now
            }
        }
    }

    /// The usual case, on every verification: a snapshot not yet due for a refresh that has the
    /// key. There is nothing to start or record, so the verifier asks this first and leaves
    /// everything else (a `nil` here) to ``key(for:algorithm:)``. The clock is read before taking
    /// the lock, and the key is looked up under it rather than the key set copied out, which would
    /// retain and release storage that every verifying task shares.
    public func cachedKey(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey? {
        let now = time.now()
        return state.withLockedValue { $0.machine.immediateKey(for: keyID, algorithm: algorithm, now: now) }
    }

    private func record(_ event: RemoteJWKSStateMachine.Event) {
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
        case .fetched(let keyCount, let ttl, let skippedKeys):
            metrics.fetchSuccesses.increment()
            logger.info(
                "fetched JWK Set",
                metadata: ["jwks.keys": "\(keyCount)", "jwks.ttl_seconds": "\(Int(ttl.inSeconds))"]
            )
            for skipped in skippedKeys {
                logger.warning("JWK skipped", metadata: ["jwks.skipped": "\(skipped)"])
            }
        case .notModified:
            metrics.fetchNotModified.increment()
            logger.debug("JWK Set not modified")
        case .fetchFailed(let reason, let consecutiveFailures, let servingStale):
            metrics.fetchFailures.increment()
            logger.warning(
                "JWK Set refresh failed",
                metadata: [
                    "jwks.error": "\(reason)", "jwks.consecutive_failures": "\(consecutiveFailures)",
                    "jwks.serving_stale": "\(servingStale)",
                ]
            )
        }
    }

    /// Suspends until refresh `generation` has finished (the refresh itself carries on for the
    /// other callers whatever happens to this one).
    ///
    /// - Parameter bounded: Whether this wait counts against ``maximumWaiters`` (lookups; not the
    ///   service loop or a manual refresh).
    /// - Throws: ``JWTError/Code/cancelled`` when this task is cancelled;
    ///   ``JWTError/Code/jwksUnavailable`` when the wait is bounded and the waiters are full.
    private func waitForRefresh(generation: UInt64, bounded: Bool) async throws(JWTError) {
        enum Admission { case done, waiting, full }
        let waiterID = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        var admission = Admission.waiting
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                admission = state.withLockedValue { state -> Admission in
                    if state.machine.hasCompleted(generation: generation) || Task.isCancelled { return .done }
                    if bounded {
                        guard state.boundedWaiters.count < Self.maximumWaiters else { return .full }
                        state.boundedWaiters.insert(waiterID)
                    }
                    state.waiters[waiterID] = continuation
                    return .waiting
                }
                if admission != .waiting { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { state in
                state.boundedWaiters.remove(waiterID)
                return state.waiters.removeValue(forKey: waiterID)
            }?.resume()
        }
        if Task.isCancelled { throw JWTError(.cancelled, "cancelled while waiting for the JWK Set") }
        if admission == .full {
            metrics.waitOverflows.increment()
            throw JWTError(.jwksUnavailable, "more than \(Self.maximumWaiters) callers are waiting for the JWK Set")
        }
    }

    // MARK: Refresh

    /// Starts `fetch` in a task of its own, detached from the caller that triggered it: no caller's
    /// cancellation stops it, and it carries none of that caller's task-local values.
    private func startRefresh(_ fetch: RemoteJWKSStateMachine.Fetch) {
        Task.detached { await self.performRefresh(fetch) }
    }

    private func performRefresh(_ fetch: RemoteJWKSStateMachine.Fetch) async {
        let started = ContinuousClock.now
        let result = await loader.load(entityTag: fetch.entityTag)
        metrics.fetchDuration.recordNanoseconds(Int64((ContinuousClock.now - started).inSeconds * 1e9))

        let date = wallClock()
        let jitter = RemoteJWKSStateMachine.Jitter.random(refreshWindow: configuration.refreshAheadWindow)
        let (events, waiters) = state.withLockedValue { state in
            let events = state.machine.fetchCompleted(
                generation: fetch.generation,
                result,
                now: time.now(),
                date: date,
                jitter: jitter
            )
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            state.boundedWaiters.removeAll()
            return (events, waiters)
        }
        // Log and count first, so that a caller who sees the outcome also finds it reported.
        events.forEach(record)
        recordGauges()
        for waiter in waiters { waiter.resume() }
        fetchCompleted.signal()
    }

    /// Fetches the set now (conditionally, when an `ETag` is known), or joins the fetch under way.
    /// Within ``Configuration/unknownKeyCooldown`` of the last attempt it fetches nothing: manual
    /// refreshes are rate-limited like unknown `kid`s.
    ///
    /// - Returns: `true` when a fetch completed for this call, `false` when the cooldown held it back.
    /// - Throws: ``JWTError/Code/jwksUnavailable`` when the fetch failed (the last good set keeps
    ///   serving); ``JWTError/Code/cancelled`` when this task is cancelled while it waits.
    @discardableResult
    public func refresh() async throws(JWTError) -> Bool {
        let step = state.withLockedValue { $0.machine.manualRefresh(now: time.now()) }
        guard let step else { return false }
        try await complete(step)
        if let failure = state.withLockedValue({ $0.machine.lastFailure }) {
            throw JWTError(.jwksUnavailable, "JWK Set refresh failed: \(failure)")
        }
        return true
    }

    /// Makes sure a usable set is loaded, fetching it (or joining the fetch under way) when there is
    /// none: a warm-up for readiness checks at startup. Returns at once when a usable set is there.
    ///
    /// - Throws: ``JWTError/Code/jwksUnavailable`` when no usable set can be had: the fetch failed,
    ///   or retries are backing off after failures; ``JWTError/Code/cancelled`` when this task is
    ///   cancelled while it waits.
    public func load() async throws(JWTError) {
        let step = state.withLockedValue { $0.machine.warmUp(now: time.now()) }
        if let step { try await complete(step) }
        let now = time.now()
        let (usable, reason) = state.withLockedValue { ($0.machine.gauges(now: now).isUsable, $0.machine.lastFailure) }
        guard usable else {
            throw JWTError(.jwksUnavailable, "JWK Set could not be loaded" + (reason.map { ": \($0)" } ?? ""))
        }
    }

    /// Runs a step of ``refresh()`` or ``load()``: starts its fetch, and waits for it.
    private func complete(_ step: RemoteJWKSStateMachine.ServiceStep) async throws(JWTError) {
        switch step {
        case .startFetch(let fetch):
            startRefresh(fetch)
            try await waitForRefresh(generation: fetch.generation, bounded: false)
        case .wait(let generation):
            try await waitForRefresh(generation: generation, bounded: false)
        case .sleep:
            break
        }
    }

    // MARK: Service

    /// Refreshes in the background until cancelled or until graceful shutdown: the first load after
    /// a random delay of up to ``Configuration/startupJitter``, then ahead of each expiry, retrying
    /// with backoff after failures. It looks again whenever a fetch completes (a lookup's fetch may
    /// have changed the lifetime, or failed) and at least every minute, updating the gauges.
    ///
    /// Lookups keep working after `run()` returns; they then refresh on demand again.
    ///
    /// - Throws: Nothing in practice: failed refreshes are retried, not thrown, and cancellation
    ///   ends the loop normally.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            let jitter = self.configuration.startupJitter * Double.random(in: 0...1)
            if jitter > .zero, !(await self.sleep(jitter)) { return }
            while !Task.isCancelled {
                let now = self.time.now()
                let step = self.state.withLockedValue { $0.machine.nextServiceStep(now: now) }
                self.recordGauges()
                switch step {
                case .startFetch(let fetch):
                    self.startRefresh(fetch)
                    try? await self.waitForRefresh(generation: fetch.generation, bounded: false)
                case .sleep(let delay):
                    // Cancellation (graceful shutdown) ends the loop.
                    guard await self.sleep(min(delay, Self.maximumServiceSleep)) else { return }
                case .wait(let generation):
                    try? await self.waitForRefresh(generation: generation, bounded: false)
                }
            }
        }
    }

    /// Sleeps for `delay` on the cache's clock, or until a fetch completes, whichever comes first.
    ///
    /// - Returns: `false` when the task was cancelled.
    private func sleep(_ delay: Duration) async -> Bool {
        await fetchCompleted.sleep(delay, on: time)
    }

    // MARK: Status

    /// The cache's health, for readiness checks and dashboards. Reading it also updates the gauges.
    public var status: Status {
        let now = time.now()
        let status = state.withLockedValue { $0.machine.status(url: url, now: now) }
        recordGauges()
        return status
    }

    /// Reads the gauges' figures and records them, under ``gaugeLock`` so that recordings happen
    /// in the order of their readings; the state lock is held only for the reading.
    private func recordGauges() {
        gaugeLock.withLock {
            let now = time.now()
            metrics.record(state.withLockedValue { $0.machine.gauges(now: now) })
        }
    }
}
