import Testing

@testable import SimbeeAuthClient

/// The provider's rules without I/O: what to serve, when to exchange, how long to back off.
@Suite struct TokenStateMachineTests {
    static let configuration = SimbeeTokenProvider.Configuration()

    /// The id of the exchange `step` starts, or `nil` after recording that it starts none.
    static func started(
        _ step: TokenStateMachine.CallerStep,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> UInt64? {
        if case .start(let id) = step { return id }
        Issue.record("expected an exchange to start, got \(step)", sourceLocation: sourceLocation)
        return nil
    }

    /// ``started(_:sourceLocation:)`` for the background service's step.
    static func started(
        _ step: TokenStateMachine.ServiceStep,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> UInt64? {
        if case .start(let id) = step { return id }
        Issue.record("expected an exchange to start, got \(step)", sourceLocation: sourceLocation)
        return nil
    }

    /// A machine holding a 900 s token obtained at time zero (refresh at 870 s), and the token.
    static func holdingToken(
        lifetime: Duration = .seconds(900),
        jitter: Double = 0.9,
        configuration: SimbeeTokenProvider.Configuration = configuration
    ) -> (TokenStateMachine, SimbeeAccessToken) {
        var machine = TokenStateMachine(configuration: configuration)
        guard let id = started(machine.callerStep(now: .zero, attemptsMade: 0)) else {
            return (machine, SimbeeAccessToken(value: "", scopes: [], lifetime: .zero, exchange: 0))
        }
        let token = machine.exchangeSucceeded(
            id,
            value: "token-\(id)",
            scopes: ["read"],
            lifetime: lifetime,
            sentAt: .zero,
            jitter: jitter
        )
        return (machine, token)
    }

    @Test func servesTheTokenUntilTheMarginThenExchanges() {
        var (machine, token) = Self.holdingToken()
        guard case .serve(let served) = machine.callerStep(now: .seconds(869), attemptsMade: 0) else {
            Issue.record("869 s into a 900 s token, 31 s remain: more than the margin")
            return
        }
        #expect(served == token)
        #expect(machine.freshToken(now: .milliseconds(869_999)) == token)
        #expect(machine.freshToken(now: .seconds(870)) == nil)
        guard case .start = machine.callerStep(now: .seconds(870), attemptsMade: 0) else {
            Issue.record("30 s remaining is within the margin: exchange")
            return
        }
    }

    @Test func concurrentCallersJoinTheExchangeUnderWay() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard case .start(let id) = machine.callerStep(now: .zero, attemptsMade: 0) else {
            Issue.record("first caller starts")
            return
        }
        for _ in 0..<100 {
            guard case .join(let joined) = machine.callerStep(now: .zero, attemptsMade: 0) else {
                Issue.record("later callers join")
                return
            }
            #expect(joined == id)
        }
        #expect(machine.serviceStep(now: .zero) == .join(id))
    }

    @Test func aShortLivedTokenIsRefreshedAtHalfItsLife() {
        let (machine, token) = Self.holdingToken(lifetime: .seconds(40))
        #expect(machine.freshToken(now: .milliseconds(19_999)) == token)
        #expect(machine.freshToken(now: .seconds(20)) == nil)
        #expect(machine.validToken(now: .milliseconds(39_999)) == token)
        #expect(machine.validToken(now: .seconds(40)) == nil)
    }

    @Test(arguments: [0.8, 0.95])
    func backgroundRefreshFallsInTheWindowBeforeTheMargin(jitter: Double) {
        var (machine, _) = Self.holdingToken(jitter: jitter)
        let due = Duration.seconds(870) * jitter
        #expect(machine.serviceStep(now: .zero) == .sleep(due))
        #expect(machine.serviceStep(now: due - .milliseconds(1)) == .sleep(.milliseconds(1)))
        guard case .start = machine.serviceStep(now: due) else {
            Issue.record("the service exchanges once the refresh is due")
            return
        }
    }

    @Test func theServiceExchangesAtOnceWithoutAToken() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard case .start = machine.serviceStep(now: .zero) else {
            Issue.record("no token: exchange")
            return
        }
    }

    @Test func backoffDoublesPerFailureWithJitterAndIsCapped() {
        var configuration = Self.configuration
        configuration.initialBackoff = .seconds(1)
        configuration.maximumBackoff = .seconds(8)
        var machine = TokenStateMachine(configuration: configuration)
        let failure = SimbeeAuthError(.serverError, "status 503", status: 503)
        var now = Duration.zero
        // Base delays 1, 2, 4, 8, 8 s; jitter 0.5 halves, 1.5 multiplies (after the cap).
        for (base, jitter) in [(1, 0.5), (2, 1.5), (4, 1.0), (8, 1.5), (8, 0.5)] {
            guard case .start(let id) = machine.serviceStep(now: now) else {
                Issue.record("due once the backoff has passed")
                return
            }
            machine.exchangeFailed(id, failure, now: now, jitter: jitter)
            let delay = Duration.seconds(base) * jitter
            #expect(machine.notBefore == now + delay)
            #expect(machine.serviceStep(now: now) == .sleep(delay))
            now += delay
        }
        #expect(machine.consecutiveFailures == 5)
    }

    @Test func retryAfterLaterThanTheBackoffIsHonoured() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard let id = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        machine.exchangeFailed(
            id,
            SimbeeAuthError(.rateLimited, "429", status: 429, retryAfter: .seconds(7)),
            now: .zero,
            jitter: 1
        )
        #expect(machine.notBefore == .seconds(7))
        // A day-long Retry-After counts as an hour.
        guard let next = Self.started(machine.serviceStep(now: .seconds(7))) else { return }
        machine.exchangeFailed(
            next,
            SimbeeAuthError(.rateLimited, "429", status: 429, retryAfter: .seconds(86_400)),
            now: .seconds(7),
            jitter: 1
        )
        #expect(machine.notBefore == .seconds(3_607))
    }

    @Test func aCallerThatTookPartWaitsForTheNextAttemptANewCallerFailsAtOnce() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard let id = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        let failure = SimbeeAuthError(.timedOut, "slow")
        machine.exchangeFailed(id, failure, now: .zero, jitter: 1)
        guard case .sleep(let wait) = machine.callerStep(now: .zero, attemptsMade: 1) else {
            Issue.record("a caller with attempts left waits for the backoff")
            return
        }
        #expect(wait == .milliseconds(500))
        guard case .fail(let error) = machine.callerStep(now: .zero, attemptsMade: 0) else {
            Issue.record("a new caller fails at once during the backoff")
            return
        }
        #expect(error == failure)
        guard case .start = machine.callerStep(now: .milliseconds(500), attemptsMade: 0) else {
            Issue.record("after the backoff, a new caller exchanges")
            return
        }
    }

    @Test func attemptsAreBoundedPerCall() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard case .fail = machine.callerStep(now: .zero, attemptsMade: Self.configuration.maximumAttempts) else {
            Issue.record("a call that spent its attempts fails")
            return
        }
        guard case .start = machine.callerStep(now: .zero, attemptsMade: Self.configuration.maximumAttempts - 1)
        else {
            Issue.record("one attempt left: exchange")
            return
        }
    }

    @Test func aRefusedKeyIsNotWaitedFor() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard let id = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        let refused = SimbeeAuthError(.keyRefused, "401", status: 401)
        machine.exchangeFailed(id, refused, now: .zero, jitter: 1)
        guard case .fail(let error) = machine.callerStep(now: .zero, attemptsMade: 1) else {
            Issue.record("retrying cannot mend a refused key")
            return
        }
        #expect(error.code == .keyRefused)
    }

    @Test func aRetryAfterBeyondTheLongestBackoffFailsTheCall() {
        var configuration = Self.configuration
        configuration.maximumBackoff = .seconds(5)
        configuration.initialBackoff = .seconds(1)
        var machine = TokenStateMachine(configuration: configuration)
        guard let id = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        machine.exchangeFailed(
            id,
            SimbeeAuthError(.rateLimited, "429", status: 429, retryAfter: .seconds(6)),
            now: .zero,
            jitter: 1
        )
        guard case .fail(let error) = machine.callerStep(now: .zero, attemptsMade: 1) else {
            Issue.record("6 s is more than the 5 s a call waits")
            return
        }
        #expect(error.retryAfter == .seconds(6))
        // At exactly the longest backoff the call waits.
        machine = TokenStateMachine(configuration: configuration)
        guard let again = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        machine.exchangeFailed(
            again,
            SimbeeAuthError(.rateLimited, "429", status: 429, retryAfter: .seconds(5)),
            now: .zero,
            jitter: 1
        )
        guard case .sleep(.seconds(5)) = machine.callerStep(now: .zero, attemptsMade: 1) else {
            Issue.record("5 s is within the 5 s a call waits")
            return
        }
    }

    @Test func aValidTokenServesWhileAnEarlyRefreshBacksOff() {
        var (machine, token) = Self.holdingToken()
        guard let id = Self.started(machine.callerStep(now: .seconds(880), attemptsMade: 0)) else { return }
        machine.exchangeFailed(id, SimbeeAuthError(.serverError, "503", status: 503), now: .seconds(880), jitter: 1)
        guard case .serve(let served) = machine.callerStep(now: .milliseconds(880_499), attemptsMade: 0) else {
            Issue.record("the token has 20 s left: serve it")
            return
        }
        #expect(served == token)
        guard case .start(let next) = machine.callerStep(now: .milliseconds(880_500), attemptsMade: 0) else {
            Issue.record("the backoff has passed: exchange again")
            return
        }
        machine.exchangeFailed(next, SimbeeAuthError(.serverError, "503", status: 503), now: .seconds(899), jitter: 1.5)
        guard case .serve = machine.callerStep(now: .milliseconds(899_999), attemptsMade: 0) else {
            Issue.record("still valid for 1 ms")
            return
        }
        guard case .fail = machine.callerStep(now: .seconds(900), attemptsMade: 0) else {
            Issue.record("expired, and the backoff (until 900.5 s) has not passed")
            return
        }
    }

    @Test func invalidateDropsOnlyTheCurrentToken() {
        var (machine, first) = Self.holdingToken()
        let dropped = machine.invalidate(first)
        let droppedAgain = machine.invalidate(first)
        #expect(dropped && !droppedAgain)
        #expect(machine.validToken(now: .zero) == nil)
        guard let id = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        let second = machine.exchangeSucceeded(
            id,
            value: "token-\(id)",
            scopes: [],
            lifetime: .seconds(900),
            sentAt: .zero,
            jitter: 0.9
        )
        let droppedReplaced = machine.invalidate(first)
        #expect(!droppedReplaced)
        #expect(machine.freshToken(now: .zero) == second)
        // Same value, another exchange: not the cached token.
        let lookalike = SimbeeAccessToken(value: second.value, scopes: [], lifetime: .seconds(900), exchange: id + 1)
        let droppedLookalike = machine.invalidate(lookalike)
        #expect(!droppedLookalike)
    }

    @Test func aWaiterThatRegistersLateFindsTheOutcome() {
        var machine = TokenStateMachine(configuration: Self.configuration)
        guard let id = Self.started(machine.callerStep(now: .zero, attemptsMade: 0)) else { return }
        #expect(machine.outcome(of: id) == nil)
        let failure = SimbeeAuthError(.serverError, "503", status: 503)
        machine.exchangeFailed(id, failure, now: .zero, jitter: 1)
        #expect(machine.outcome(of: id) == .failure(failure))
        #expect(machine.outcome(of: id + 1) == nil)
    }
}
