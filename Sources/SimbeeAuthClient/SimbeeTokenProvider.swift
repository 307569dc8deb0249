public import AsyncHTTPClient
public import Logging
public import Metrics
import NIOConcurrencyHelpers
public import ServiceLifecycle
import SimbeeJWT

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Keeps a fresh Simbee token for calling Simbee's API: exchanges the API key on first use, serves
/// the cached token, and exchanges again ahead of expiry.
///
/// - **Fast path**: ``token()`` returns the cached token while more than
///   ``Configuration/refreshMargin`` (30 s) of its life remains: a lock and a clock read, no I/O.
/// - **Single flight**: otherwise one exchange runs, whatever the concurrency, and every caller
///   waiting gets its result. Cancelling one caller never cancels the exchange the others share.
/// - **Background refresh**: run it as a swift-service-lifecycle `Service` and it exchanges ahead of
///   the margin, at a random 80–95 % of the way there, so callers never wait.
/// - **Failures**: timeouts (2 s connect, 10 s per exchange), capped exponential backoff with
///   jitter on network errors, `5xx` and `429` (honouring `Retry-After`); `400`, `401` and `403`
///   are ``SimbeeAuthError/Code/keyRefused`` and never retried by a call. While the cached token is
///   still valid, a failed early exchange keeps serving it.
/// - **Expiry** counts from when the request was sent, on the monotonic clock: `expires_in`, or the
///   token's own `exp` when that is earlier (read, not verified: it only ever shortens the life).
/// - **Secrets**: the key and tokens never appear in logs, errors or descriptions; `https` only
///   (plain `http` for loopback hosts), redirects refused.
///
/// ```swift
/// import AsyncHTTPClient  // HTTPClientRequest
/// import SimbeeAuthClient
///
/// let provider = try SimbeeTokenProvider(apiKey: SimbeeAPIKey(environmentVariable: "SIMBEE_API_KEY"))
/// var request = HTTPClientRequest(url: "https://api.simbee.io/v1/users/cu_123")
/// request.setBearerToken(try await provider.token())
/// ```
public final class SimbeeTokenProvider: Service, Sendable {
    /// The exchange endpoint: `<baseURL>/auth/exchange`.
    public let exchangeURL: String

    /// The longest the service sleeps between looks at the token, so that its gauge stays current.
    static let maximumServiceSleep: Duration = .seconds(60)

    private let apiKey: SimbeeAPIKey
    private let configuration: Configuration
    private let exchanger: TokenExchanger
    private let logger: Logger
    private let time: MonotonicTime
    private let wallClock: @Sendable () -> Date
    private let metrics: TokenProviderMetrics
    private let state: NIOLockedValueBox<LockedState>
    /// Wakes the service loop when an exchange completes or a token is dropped.
    private let changed = ChangeSignal()

    private typealias Outcome = Result<SimbeeAccessToken, SimbeeAuthError>

    /// The state machine and the tasks waiting on it, under one lock.
    private struct LockedState {
        var machine: TokenStateMachine
        /// Callers waiting for the exchange under way.
        var waiters: [UInt64: CheckedContinuation<Outcome?, Never>] = [:]
        var nextWaiterID: UInt64 = 0

        mutating func newWaiterID() -> UInt64 {
            nextWaiterID += 1
            return nextWaiterID
        }
    }

    /// Creates a provider. Nothing is exchanged until the first ``token()`` (or until ``run()``
    /// starts).
    ///
    /// - Parameters:
    ///   - apiKey: The API key to exchange.
    ///   - configuration: Base URL, refresh margin, timeouts, backoff and limits.
    ///   - httpClient: The client to send exchanges with; by default a process-wide client that
    ///     never follows redirects and connects within ``Configuration/connectTimeout``. A client of
    ///     your own connects within its own timeout. Even when it follows redirects, the key goes to
    ///     the exchange URL only (the request body is never sent again), and an answer that arrived
    ///     through a redirect is refused.
    ///   - logger: Receives exchanges and their failures; never the key or a token.
    ///   - metricsFactory: Where metrics go; the bootstrapped `MetricsSystem` by default.
    /// - Throws: ``SimbeeAuthError`` with ``SimbeeAuthError/Code/invalidConfiguration`` for an
    ///   unacceptable configuration or base URL.
    public convenience init(
        apiKey: SimbeeAPIKey,
        configuration: Configuration = Configuration(),
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "SimbeeAuthClient.SimbeeTokenProvider"),
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(SimbeeAuthError) {
        try self.init(
            apiKey: apiKey,
            configuration: configuration,
            httpClient: httpClient,
            logger: logger,
            metricsFactory: metricsFactory,
            clock: ContinuousClock(),
            wallClock: { Date() }
        )
    }

    /// Creates a provider whose expiry, backoff and background refresh run on `clock` and whose
    /// wall-clock dates (to compare with a token's `exp`) come from `wallClock`.
    ///
    /// - Warning: For tests that drive time by hand.
    @_spi(Testing) public init<C: Clock>(
        apiKey: SimbeeAPIKey,
        configuration: Configuration,
        httpClient: HTTPClient?,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?,
        clock: C,
        wallClock: @escaping @Sendable () -> Date
    ) throws(SimbeeAuthError) where C.Duration == Duration {
        try configuration.validate()
        self.apiKey = apiKey
        self.configuration = configuration
        self.exchangeURL = configuration.exchangeURL
        self.exchanger = TokenExchanger(
            url: configuration.exchangeURL,
            client: httpClient ?? HTTPJWKSFetcher.sharedClient(connectTimeout: configuration.connectTimeout),
            requestTimeout: configuration.requestTimeout,
            userAgent: configuration.userAgent,
            maximumTokenLifetime: configuration.maximumTokenLifetime,
            wallClock: wallClock
        )
        var logger = logger
        logger[metadataKey: "simbee.auth.url"] = "\(configuration.exchangeURL)"
        self.logger = logger
        self.time = MonotonicTime(clock)
        self.wallClock = wallClock
        self.metrics = TokenProviderMetrics(url: configuration.exchangeURL, factory: metricsFactory)
        self.state = NIOLockedValueBox(LockedState(machine: TokenStateMachine(configuration: configuration)))
    }

    // MARK: Tokens

    /// A token with more than the refresh margin of its life left.
    ///
    /// Returns the cached token when it qualifies. Otherwise it exchanges the API key (or joins
    /// the exchange under way), retrying network errors, `5xx` and `429` with backoff up to
    /// ``Configuration/maximumAttempts`` attempts. When the exchange fails but the cached token has
    /// not expired, that token is returned: its remaining life is shorter than the margin, but it
    /// is still good.
    ///
    /// - Returns: The token to send as `Authorization: Bearer`.
    /// - Throws: ``SimbeeAuthError``: ``SimbeeAuthError/Code/keyRefused`` when the key was refused;
    ///   the last failure when the attempts are spent, or at once when an exchange failed moments
    ///   ago and the next is scheduled after a backoff; ``SimbeeAuthError/Code/cancelled`` when this
    ///   task is cancelled while it waits.
    public func token() async throws(SimbeeAuthError) -> SimbeeAccessToken {
        let now = time.now()
        if let token = state.withLockedValue({ $0.machine.freshToken(now: now) }) { return token }
        return try await obtainToken()
    }

    /// The slow path of ``token()``: exchange, join, back off or fail, as the state machine decides.
    private func obtainToken() async throws(SimbeeAuthError) -> SimbeeAccessToken {
        var attempts = 0
        while true {
            let now = time.now()
            let step = state.withLockedValue { $0.machine.callerStep(now: now, attemptsMade: attempts) }
            let outcome: Outcome
            switch step {
            case .serve(let token):
                return token
            case .fail(let error):
                throw error
            case .sleep(let delay):
                do {
                    try await time.sleep(delay)
                } catch {
                    throw SimbeeAuthError(.cancelled, "cancelled while waiting to retry the exchange")
                }
                continue
            case .start(let exchange):
                startExchange(exchange)
                outcome = try await waitForExchange(exchange)
            case .join(let exchange):
                outcome = try await waitForExchange(exchange)
            }
            attempts += 1
            switch outcome {
            case .success(let token):
                return token
            case .failure(let error):
                guard error.isRetryable else {
                    // A refused key or a broken answer: a token that has not expired still serves.
                    let now = time.now()
                    if let valid = state.withLockedValue({ $0.machine.validToken(now: now) }) { return valid }
                    throw error
                }
            }
        }
    }

    /// Drops `token` after the API answered `401` for it, so that the next ``token()`` exchanges
    /// again (and the background service at once, when it runs).
    ///
    /// Many requests that failed with the same token cause one exchange: only the first call
    /// drops it, and a late `401` for a token that has already been replaced changes nothing.
    ///
    /// - Parameter token: The token the API refused.
    /// - Returns: Whether it was the cached token, and was dropped.
    @discardableResult
    public func invalidate(_ token: SimbeeAccessToken) -> Bool {
        let dropped = state.withLockedValue { $0.machine.invalidate(token) }
        if dropped {
            metrics.invalidations.increment()
            logger.info("token invalidated after the API refused it")
            recordGauge()
            changed.signal()
        }
        return dropped
    }

    // MARK: Exchange

    /// Starts exchange `id` in a task of its own, detached from the caller that triggered it: no
    /// caller's cancellation stops it, and it carries none of that caller's task-local values.
    private func startExchange(_ id: UInt64) {
        Task.detached { await self.performExchange(id) }
    }

    private func performExchange(_ id: UInt64) async {
        let sentAt = time.now()
        let sentDate = wallClock()
        let started = ContinuousClock.now
        var result = await exchanger.exchange(apiKey)
        metrics.duration.recordNanoseconds(Int64(((ContinuousClock.now - started).inSeconds * 1e9).rounded()))

        // The life counts from sending: `expires_in`, or up to the token's `exp` when that is earlier.
        var lifetime = Duration.zero
        if case .success(let response) = result {
            var seconds = Double(response.expiresIn)
            if let expiration = response.expiration {
                seconds = min(seconds, expiration - sentDate.timeIntervalSince1970)
            }
            lifetime = Duration(checkedSeconds: seconds) ?? .zero
            if lifetime <= time.now() - sentAt {
                let late = Int64(exactly: (-seconds).rounded(.up)).map { "\($0) s" } ?? "long"
                let why =
                    seconds <= 0
                    ? "its exp is \(late) before this machine's clock (is either clock wrong?)"
                    : "its life ended while the exchange was under way"
                result = .failure(
                    SimbeeAuthError(.invalidResponse, "the token had expired when it arrived: \(why)", status: 200)
                )
            }
        }

        let refreshJitter = Double.random(in: configuration.backgroundRefreshWindow)
        let backoffJitter = Double.random(in: 0.5...1.5)
        let now = time.now()
        let (outcome, waiters, failures) = state.withLockedValue { state in
            let outcome: Outcome
            switch result {
            case .success(let response):
                outcome = .success(
                    state.machine.exchangeSucceeded(
                        id,
                        value: response.token,
                        scopes: response.scopes,
                        lifetime: lifetime,
                        sentAt: sentAt,
                        jitter: refreshJitter
                    )
                )
            case .failure(let error):
                state.machine.exchangeFailed(id, error, now: now, jitter: backoffJitter)
                outcome = .failure(error)
            }
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return (outcome, waiters, state.machine.consecutiveFailures)
        }
        // Log and count first, so that a caller who sees the outcome also finds it reported.
        report(outcome, consecutiveFailures: failures)
        recordGauge()
        for waiter in waiters { waiter.resume(returning: outcome) }
        changed.signal()
    }

    private func report(_ outcome: Outcome, consecutiveFailures: Int) {
        switch outcome {
        case .success(let token):
            metrics.successes.increment()
            logger.info(
                "exchanged the API key for a token",
                metadata: [
                    "simbee.auth.lifetime_seconds": "\(Int(token.lifetime.inSeconds))",
                    "simbee.auth.scopes": "\(token.scopes.joined(separator: " "))",
                ]
            )
        case .failure(let error):
            let metadata: Logger.Metadata = [
                "simbee.auth.code": "\(error.code)", "simbee.auth.message": "\(error.message)",
                "simbee.auth.consecutive_failures": "\(consecutiveFailures)",
            ]
            if error.code == .keyRefused {
                metrics.refusals.increment()
                logger.error("the token exchange refused the API key", metadata: metadata)
            } else {
                metrics.failures.increment()
                logger.warning("the token exchange failed", metadata: metadata)
            }
        }
    }

    /// Suspends until exchange `id` completes (the exchange itself carries on for the other callers
    /// whatever happens to this one).
    ///
    /// - Returns: The exchange's outcome.
    /// - Throws: ``SimbeeAuthError/Code/cancelled`` when this task is cancelled.
    private func waitForExchange(_ id: UInt64) async throws(SimbeeAuthError) -> Outcome {
        let waiterID = state.withLockedValue { $0.newWaiterID() }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome?, Never>) in
                let immediate = state.withLockedValue { state -> Outcome?? in
                    if Task.isCancelled { return .some(nil) }
                    if let outcome = state.machine.outcome(of: id) { return .some(outcome) }
                    state.waiters[waiterID] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: waiterID) }?.resume(returning: nil)
        }
        guard let outcome else { throw SimbeeAuthError(.cancelled, "cancelled while waiting for the token exchange") }
        return outcome
    }

    // MARK: Service

    /// Exchanges in the background until cancelled or until graceful shutdown: at once when there
    /// is no token, then ahead of each token's refresh margin, retrying with backoff after
    /// failures. It looks again whenever an exchange completes or a token is invalidated, and at
    /// least every minute, updating the remaining-lifetime gauge.
    ///
    /// ``token()`` keeps working after `run()` returns; it then exchanges on demand again.
    ///
    /// - Throws: Nothing in practice: failed exchanges are retried, not thrown, and cancellation
    ///   ends the loop normally.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let now = self.time.now()
                let step = self.state.withLockedValue { $0.machine.serviceStep(now: now) }
                self.recordGauge()
                switch step {
                case .start(let exchange):
                    self.startExchange(exchange)
                    _ = try? await self.waitForExchange(exchange)
                case .join(let exchange):
                    _ = try? await self.waitForExchange(exchange)
                case .sleep(let delay):
                    // Cancellation (graceful shutdown) ends the loop.
                    guard await self.changed.sleep(min(delay, Self.maximumServiceSleep), on: self.time) else { return }
                }
            }
        }
    }

    /// The callers waiting for the exchange under way, for tests that must know every caller has
    /// joined it.
    var waitingCallerCount: Int { state.withLockedValue { $0.waiters.count } }

    /// Records the cached token's remaining life.
    private func recordGauge() {
        let now = time.now()
        let remaining = state.withLockedValue { $0.machine.remainingLifetime(now: now) }
        metrics.remainingLifetime.record(remaining.inSeconds)
    }
}

extension SimbeeTokenProvider: CustomReflectable {
    /// A mirror with the exchange URL only. The provider holds the key, tokens, and a client that
    /// may share connections and buffers with the rest of the process; `dump` and debuggers walk
    /// none of them.
    public var customMirror: Mirror {
        Mirror(self, children: ["exchangeURL": exchangeURL], displayStyle: .class)
    }
}
