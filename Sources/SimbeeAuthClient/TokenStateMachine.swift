/// The decisions of a ``SimbeeTokenProvider``, as a value: which token to serve, when to exchange,
/// who waits for whom and how long to back off. The provider runs it under its lock and carries out
/// the side effects (the exchange, logs, metrics, resuming waiters) after it, so every rule here is
/// tested without I/O.
///
/// Times are monotonic: durations since the provider was created.
struct TokenStateMachine: Sendable {
    /// A token with the times that govern it.
    struct Cached: Sendable {
        let token: SimbeeAccessToken
        /// When its life ends.
        let expiresAt: Duration
        /// From when ``SimbeeTokenProvider/token()`` exchanges instead of returning it.
        let refreshAt: Duration
        /// When the background service exchanges ahead of ``refreshAt``.
        let backgroundRefreshAt: Duration
    }

    /// What a caller of ``SimbeeTokenProvider/token()`` does next.
    enum CallerStep: Sendable {
        case serve(SimbeeAccessToken)
        /// Start exchange `id` and wait for it.
        case start(UInt64)
        /// Wait for exchange `id`, already under way.
        case join(UInt64)
        /// Wait this long (a backoff or `Retry-After`), then ask again.
        case sleep(Duration)
        case fail(SimbeeAuthError)
    }

    /// What the background service does next.
    enum ServiceStep: Sendable, Equatable {
        case start(UInt64)
        case join(UInt64)
        case sleep(Duration)
    }

    private let refreshMargin: Duration
    private let maximumAttempts: Int
    private let initialBackoff: Duration
    private let maximumBackoff: Duration

    private(set) var current: Cached?
    /// The exchange under way, if any: there is never more than one.
    private(set) var exchangeInFlight: UInt64?
    private var lastExchange: UInt64 = 0
    /// The outcome of the last completed exchange, for a waiter that registers after it completed.
    private(set) var lastOutcome: (exchange: UInt64, result: Result<SimbeeAccessToken, SimbeeAuthError>)?
    private(set) var consecutiveFailures = 0
    /// No exchange starts before this time (backoff after a failure, or the server's `Retry-After`).
    private(set) var notBefore: Duration = .zero
    private(set) var lastFailure: SimbeeAuthError?

    init(configuration: SimbeeTokenProvider.Configuration) {
        refreshMargin = configuration.refreshMargin
        maximumAttempts = configuration.maximumAttempts
        initialBackoff = configuration.initialBackoff
        maximumBackoff = configuration.maximumBackoff
    }

    /// The cached token while more than the refresh margin of its life remains: the fast path.
    func freshToken(now: Duration) -> SimbeeAccessToken? {
        guard let current, now < current.refreshAt else { return nil }
        return current.token
    }

    /// The cached token while it has not expired, margin or not.
    func validToken(now: Duration) -> SimbeeAccessToken? {
        guard let current, now < current.expiresAt else { return nil }
        return current.token
    }

    /// The life left in the cached token; zero when there is none.
    func remainingLifetime(now: Duration) -> Duration {
        guard let current, now < current.expiresAt else { return .zero }
        return current.expiresAt - now
    }

    /// The next step of a call that has made or joined `attemptsMade` exchanges so far.
    ///
    /// A fresh token is served. Otherwise the call joins the exchange under way, or starts one. A
    /// call that finds the provider backing off after a failure serves a token that is still valid;
    /// without one it fails at once with the last failure if it has not taken part in an attempt yet
    /// (the failure is recent, and the next attempt is scheduled), and otherwise waits for the next
    /// attempt unless that is further away than the longest backoff or the failure is one that
    /// retrying cannot mend.
    mutating func callerStep(now: Duration, attemptsMade: Int) -> CallerStep {
        if let token = freshToken(now: now) { return .serve(token) }
        let valid = validToken(now: now)
        guard attemptsMade < maximumAttempts else { return valid.map { .serve($0) } ?? .fail(failure) }
        if let exchangeInFlight { return .join(exchangeInFlight) }
        if now < notBefore {
            if let valid { return .serve(valid) }
            let wait = notBefore - now
            guard attemptsMade > 0, lastFailure?.isRetryable ?? true, wait <= maximumBackoff else {
                return .fail(failure)
            }
            return .sleep(wait)
        }
        return .start(beginExchange())
    }

    /// The background service's next step: exchange when the token is due for its background
    /// refresh (or there is none), once any backoff has passed; otherwise sleep until then.
    mutating func serviceStep(now: Duration) -> ServiceStep {
        if let exchangeInFlight { return .join(exchangeInFlight) }
        var due = Duration.zero
        if let current, now < current.expiresAt { due = current.backgroundRefreshAt }
        let next = max(due, notBefore)
        guard now >= next else { return .sleep(next - now) }
        return .start(beginExchange())
    }

    private mutating func beginExchange() -> UInt64 {
        lastExchange += 1
        exchangeInFlight = lastExchange
        return lastExchange
    }

    /// Records a token that exchange `id`, sent at `sentAt`, brought, valid for `lifetime` from then.
    ///
    /// - Parameter jitter: Where in ``SimbeeTokenProvider/Configuration/backgroundRefreshWindow``
    ///   the background refresh falls for this token.
    /// - Returns: The token as the provider serves it.
    mutating func exchangeSucceeded(
        _ id: UInt64,
        value: String,
        scopes: [String],
        lifetime: Duration,
        sentAt: Duration,
        jitter: Double
    ) -> SimbeeAccessToken {
        let token = SimbeeAccessToken(value: value, scopes: scopes, lifetime: lifetime, exchange: id)
        let expiresAt = sentAt + lifetime
        let refreshAt = expiresAt - min(refreshMargin, lifetime / 2)
        current = Cached(
            token: token,
            expiresAt: expiresAt,
            refreshAt: refreshAt,
            backgroundRefreshAt: sentAt + (refreshAt - sentAt) * jitter
        )
        finish(id, .success(token))
        consecutiveFailures = 0
        notBefore = .zero
        lastFailure = nil
        return token
    }

    /// Records a failed exchange and schedules the next attempt: the backoff for this many
    /// consecutive failures times `jitter`, or the server's `Retry-After` when that is later.
    ///
    /// - Parameter jitter: A factor of 0.5 … 1.5.
    mutating func exchangeFailed(_ id: UInt64, _ error: SimbeeAuthError, now: Duration, jitter: Double) {
        consecutiveFailures += 1
        let doublings = min(consecutiveFailures - 1, 40)
        var delay = min(initialBackoff * (1 << doublings), maximumBackoff) * jitter
        if let retryAfter = error.retryAfter {
            delay = max(delay, min(retryAfter, SimbeeTokenProvider.Configuration.longestRetryAfter))
        }
        notBefore = now + delay
        lastFailure = error
        finish(id, .failure(error))
    }

    private mutating func finish(_ id: UInt64, _ result: Result<SimbeeAccessToken, SimbeeAuthError>) {
        if exchangeInFlight == id { exchangeInFlight = nil }
        lastOutcome = (id, result)
    }

    /// The outcome of exchange `id` if it has completed: its own, or that of a later exchange when
    /// one completed since (which is newer news).
    func outcome(of id: UInt64) -> Result<SimbeeAccessToken, SimbeeAuthError>? {
        guard let lastOutcome, lastOutcome.exchange >= id else { return nil }
        return lastOutcome.result
    }

    /// Drops the cached token if it is `token`; a token already replaced is left alone.
    ///
    /// - Returns: Whether the token was dropped.
    mutating func invalidate(_ token: SimbeeAccessToken) -> Bool {
        guard let current, current.token == token else { return false }
        self.current = nil
        return true
    }

    /// The error for a call that cannot go on.
    private var failure: SimbeeAuthError {
        lastFailure ?? SimbeeAuthError(.connectionFailed, "no token could be obtained")
    }
}
