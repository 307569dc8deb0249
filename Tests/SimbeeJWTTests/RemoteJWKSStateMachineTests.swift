import Foundation
import Testing

@testable import SimbeeJWT

/// The remote JWKS cache's decisions on their own: lookups, fetch results and service-loop
/// queries fed at chosen monotonic times, with no HTTP, no clock and no sleeping.
@Suite("Remote JWKS state machine")
struct RemoteJWKSStateMachineTests {
    typealias Machine = RemoteJWKSStateMachine

    static let neutral = Machine.Jitter(refreshFraction: 0.75, backoff: 1)
    static let date = Date(timeIntervalSince1970: 1_800_000_000)
    /// Offsets from a boundary: just before it, exactly at it, just after it.
    static let aroundBoundary: [Duration] = [.nanoseconds(-1), .zero, .nanoseconds(1)]

    static func keySet(_ kids: [String] = ["es256-a", "ed25519-a"]) throws -> JWKSet {
        try JWKSet(json: RemoteJWKSHarness.document(kids))
    }

    /// A JWK Set document whose keys are fixture keys (material and `alg`) under other `kid`s:
    /// `(kid, fixture kid)`.
    static func document(_ entries: [(kid: String, material: String)]) throws -> [UInt8] {
        let source = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as! [String: Any]
        let all = source["keys"] as! [[String: Any]]
        let keys = entries.map { entry -> [String: Any] in
            var key = all.first { $0["kid"] as? String == entry.material }!
            key["kid"] = entry.kid
            return key
        }
        return Array(try JSONSerialization.data(withJSONObject: ["keys": keys]))
    }

    /// Whether `duration` is within a microsecond of `expected`: jitter factors are not exact in binary.
    static func close(_ duration: Duration?, _ expected: Duration) -> Bool {
        guard let duration else { return false }
        return abs((duration - expected).inSeconds) < 1e-6
    }

    /// A machine whose first fetch (generation 1) started and completed at `at`.
    static func loaded(
        ttl: Duration = .seconds(600),
        entityTag: String? = nil,
        at time: Duration = .zero,
        jitter: Machine.Jitter = neutral,
        configure: (inout RemoteJWKS.Configuration) -> Void = { _ in }
    ) throws -> Machine {
        var configuration = RemoteJWKS.Configuration()
        configure(&configuration)
        var machine = Machine(configuration: configuration)
        let fetch = try #require(machine.lookup("es256-a", at: time).fetch)
        machine.complete(
            fetch.generation,
            .fresh(try keySet(), ttl: ttl, entityTag: entityTag),
            at: time,
            jitter: jitter
        )
        return machine
    }

    @Test("the first lookup starts one fetch; concurrent lookups and the service loop join it")
    func firstLookup() throws {
        var machine = Machine(configuration: .init())
        let first = machine.lookup("es256-a", at: .zero)
        #expect(first.outcome.summary == "wait 1")
        #expect(first.fetch == Machine.Fetch(generation: 1, entityTag: nil))
        #expect(first.events.isEmpty)

        let second = machine.lookup("ed25519-a", .edDSA, at: .seconds(1))
        #expect(second.outcome.summary == "wait 1")
        #expect(second.fetch == nil)
        #expect(machine.nextServiceStep(now: .seconds(1)) == .wait(generation: 1))
        #expect(!machine.hasCompleted(generation: 1))

        let events = machine.complete(
            1,
            .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: "\"v1\""),
            at: .seconds(2)
        )
        #expect(events == [.fetched(keyCount: 2, ttl: .seconds(600), skipped: [])])
        #expect(machine.hasCompleted(generation: 1))
        let retried = machine.lookup("ed25519-a", .edDSA, at: .seconds(2), askedAt: .seconds(1))
        #expect(retried.outcome.summary == "serve ed25519-a")
        #expect(retried.fetch == nil)
        let status = machine.status(url: "u", now: .seconds(2))
        #expect(status.keyIDs == ["ed25519-a", "es256-a"] && status.lastSuccess == Self.date && status.isUsable)
    }

    @Test("an unknown kid waits for one refresh, shared with other callers, then is refused")
    func unknownKeyID() throws {
        var machine = try Self.loaded()
        let first = machine.lookup("es256-b", at: .seconds(31))
        #expect(first.outcome.summary == "wait 2")
        #expect(first.fetch?.generation == 2)
        #expect(first.events == [.unknownKeyID])
        let joining = machine.lookup("es256-c", at: .seconds(31))
        #expect(joining.outcome.summary == "wait 2")
        #expect(joining.fetch == nil)
        #expect(joining.events == [.unknownKeyID])

        machine.complete(2, .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil), at: .seconds(32))
        let after = machine.lookup("es256-b", at: .seconds(32), askedAt: .seconds(31))
        #expect(after.outcome.summary == "fail unknown_key")
        #expect(after.fetch == nil && after.events.isEmpty)
        // A new caller inside the cooldown is refused at once.
        let again = machine.lookup("es256-b", at: .seconds(33))
        #expect(again.outcome.summary == "fail unknown_key")
        #expect(again.fetch == nil)
        #expect(again.events == [.unknownKeyID, .cooldownDenial])
    }

    @Test(
        "the unknown-kid cooldown runs 30 s from the last attempt: refused just before, allowed at and after",
        arguments: aroundBoundary
    )
    func cooldownBoundary(offset: Duration) throws {
        let refreshes = offset >= .zero
        var machine = try Self.loaded(at: .seconds(100))
        let decision = machine.lookup("es256-b", at: .seconds(130) + offset)
        if refreshes {
            #expect(decision.outcome.summary == "wait 2")
            #expect(decision.fetch?.generation == 2)
            #expect(decision.events == [.unknownKeyID])
        } else {
            #expect(decision.outcome.summary == "fail unknown_key")
            #expect(decision.fetch == nil)
            #expect(decision.events == [.unknownKeyID, .cooldownDenial])
        }
    }

    @Test("a background refresh is an attempt too: the cooldown restarts from it")
    func cooldownFromBackgroundRefresh() throws {
        var machine = try Self.loaded(ttl: .seconds(600))
        let fetch = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        machine.complete(fetch.generation, .notModified(ttl: .seconds(600), entityTag: nil), at: .seconds(451))
        let early = machine.lookup("x", at: .seconds(480) - .nanoseconds(1))
        #expect(early.outcome.summary == "fail unknown_key")
        let due = machine.lookup("x", at: .seconds(480))
        #expect(due.outcome.summary == "wait 3")
    }

    @Test(
        "a known kid is served stale up to maximumStaleness past expiry, then refused",
        arguments: aroundBoundary
    )
    func staleLimit(offset: Duration) throws {
        let serves = offset < .zero
        var machine = try Self.loaded(ttl: .seconds(600)) { $0.maximumStaleness = .seconds(3_600) }
        let now = Duration.seconds(600 + 3_600) + offset
        #expect(machine.status(url: "u", now: now).isUsable == serves)
        #expect(machine.status(url: "u", now: now).isStale)
        let decision = machine.lookup("es256-a", at: now)
        // Either way the snapshot is past its refresh point, so a fetch starts.
        let fetch = try #require(decision.fetch)
        if serves {
            #expect(decision.outcome.summary == "serve es256-a")
            #expect(decision.events == [.staleServe(age: now)])
            return
        }
        #expect(decision.outcome.summary == "wait 2")
        #expect(decision.events.isEmpty)
        let failed = machine.complete(fetch.generation, .failure("unexpected HTTP status 503"), at: now)
        #expect(
            failed == [.fetchFailed(reason: "unexpected HTTP status 503", consecutiveFailures: 1, servingStale: true)]
        )
        let after = machine.lookup("es256-a", at: now, askedAt: now)
        #expect(after.outcome.summary == "fail jwks_unavailable")
        #expect(after.outcome.error?.message == "JWK Set is too stale to use and could not be refreshed")
        let backingOff = machine.lookup("es256-a", at: now)
        #expect(backingOff.outcome.summary == "fail jwks_unavailable")
        #expect(backingOff.fetch == nil)
        #expect(backingOff.events == [.backoffDenial])
    }

    @Test("stale serving starts at expiry and reports the snapshot's age")
    func staleFromExpiry() throws {
        var machine = try Self.loaded(ttl: .seconds(600), at: .seconds(10))
        #expect(!machine.status(url: "u", now: .seconds(610) - .nanoseconds(1)).isStale)
        #expect(machine.status(url: "u", now: .seconds(610)).isStale)
        let fresh = machine.lookup("es256-a", at: .seconds(609))
        #expect(fresh.outcome.summary == "serve es256-a")
        #expect(fresh.events.isEmpty)
        let stale = machine.lookup("es256-a", at: .seconds(610))
        #expect(stale.outcome.summary == "serve es256-a")
        #expect(stale.events == [.staleServe(age: .seconds(600))])
    }

    @Test("retries back off from 1 s, doubling per failure up to the 60 s cap")
    func backoffDoublingAndCap() throws {
        var machine = Machine(configuration: .init())
        var now = Duration.zero
        let delays: [Int64] = [1, 2, 4, 8, 16, 32, 60, 60, 60]
        for (index, delay) in delays.enumerated() {
            let fetch = try #require(machine.nextServiceStep(now: now).startedFetch)
            #expect(fetch.generation == UInt64(index + 1))
            let events = machine.complete(fetch.generation, .failure("down"), at: now)
            #expect(events == [.fetchFailed(reason: "down", consecutiveFailures: index + 1, servingStale: false)])
            #expect(machine.nextServiceStep(now: now) == .sleep(.seconds(delay)))
            // Just before the retry time a lookup is refused without a fetch; at it the loop above starts one.
            let early = machine.lookup("es256-a", at: now + .seconds(delay) - .nanoseconds(1))
            #expect(early.outcome.summary == "fail jwks_unavailable")
            #expect(early.fetch == nil && early.events == [.backoffDenial])
            now += .seconds(delay)
        }
        #expect(machine.status(url: "u", now: now).consecutiveFailures == delays.count)
    }

    @Test("the backoff applies the jitter it is given and never overflows")
    func backoffJitter() throws {
        let machine = Machine(configuration: .init())
        #expect(Self.close(machine.backoff(afterFailures: 1, jitter: 1.2), .seconds(1.2)))
        #expect(Self.close(machine.backoff(afterFailures: 1, jitter: 0.8), .seconds(0.8)))
        #expect(machine.backoff(afterFailures: 6, jitter: 1) == .seconds(32))
        #expect(Self.close(machine.backoff(afterFailures: 7, jitter: 0.8), .seconds(48)))
        #expect(machine.backoff(afterFailures: 10_000, jitter: 1) == .seconds(60))

        var failing = Machine(configuration: .init())
        let fetch = try #require(failing.nextServiceStep(now: .zero).startedFetch)
        failing.complete(
            fetch.generation,
            .failure("down"),
            at: .zero,
            jitter: .init(refreshFraction: 0.75, backoff: 1.2)
        )
        #expect(Self.close(failing.nextServiceStep(now: .zero).sleepDuration, .seconds(1.2)))
    }

    @Test("a success after failures clears the backoff and the error")
    func successClearsBackoff() throws {
        var machine = Machine(configuration: .init())
        let first = try #require(machine.nextServiceStep(now: .zero).startedFetch)
        machine.complete(1, .failure("down"), at: .zero)
        #expect(first.generation == 1)
        let second = try #require(machine.nextServiceStep(now: .seconds(1)).startedFetch)
        machine.complete(
            second.generation,
            .fresh(try Self.keySet(), ttl: .seconds(1_000), entityTag: nil),
            at: .seconds(1)
        )
        let status = machine.status(url: "u", now: .seconds(1))
        #expect(status.consecutiveFailures == 0 && status.lastError == nil && status.lastErrorAt == nil)
        #expect(machine.nextServiceStep(now: .seconds(1)) == .sleep(.seconds(750)))
    }

    @Test("the refresh-ahead point: the drawn fraction of the lifetime")
    func refreshAhead() throws {
        var machine = try Self.loaded(ttl: .seconds(1_000))
        #expect(machine.nextServiceStep(now: .zero) == .sleep(.seconds(750)))
        #expect(machine.nextServiceStep(now: .seconds(749)) == .sleep(.seconds(1)))
        let justBefore = Duration.seconds(750) - .nanoseconds(1)
        #expect(machine.immediateKey(for: "es256-a", algorithm: .es256, now: justBefore)?.keyID == "es256-a")
        #expect(machine.immediateKey(for: "es256-a", algorithm: .es256, now: .seconds(750)) == nil)
        #expect(machine.immediateKey(for: "es256-b", algorithm: .es256, now: .zero) == nil)

        let before = machine.lookup("es256-a", at: justBefore)
        #expect(before.outcome.summary == "serve es256-a")
        #expect(before.fetch == nil)
        let at = machine.lookup("es256-a", at: .seconds(750))
        #expect(at.outcome.summary == "serve es256-a")
        #expect(at.fetch?.generation == 2)
        #expect(at.events.isEmpty)
        let during = machine.lookup("es256-a", at: .seconds(751))
        #expect(during.outcome.summary == "serve es256-a")
        #expect(during.fetch == nil)

        var late = try Self.loaded(ttl: .seconds(1_000), jitter: .init(refreshFraction: 0.85, backoff: 1))
        #expect(Self.close(late.nextServiceStep(now: .zero).sleepDuration, .seconds(850)))
        var early = try Self.loaded(ttl: .seconds(1_000), jitter: .init(refreshFraction: 0.6, backoff: 1))
        #expect(Self.close(early.nextServiceStep(now: .zero).sleepDuration, .seconds(600)))
    }

    @Test("a background refresh waits out the backoff even past the refresh-ahead point")
    func refreshAheadDuringBackoff() throws {
        var machine = try Self.loaded(ttl: .seconds(1_000))
        let fetch = try #require(machine.nextServiceStep(now: .seconds(750)).startedFetch)
        machine.complete(fetch.generation, .failure("down"), at: .seconds(750))
        #expect(machine.nextServiceStep(now: .seconds(750)) == .sleep(.seconds(1)))
        let backingOff = machine.lookup("es256-a", at: .seconds(750.5))
        #expect(backingOff.outcome.summary == "serve es256-a")
        #expect(backingOff.fetch == nil)
        let retry = machine.lookup("es256-a", at: .seconds(751))
        #expect(retry.fetch?.generation == 3)
    }

    @Test("304 Not Modified renews the snapshot for a whole lifetime and keeps or updates the ETag")
    func notModifiedRenews() throws {
        var machine = try Self.loaded(ttl: .seconds(600), entityTag: "\"v1\"")
        let decision = machine.lookup("es256-a", at: .seconds(500))
        #expect(decision.fetch == Machine.Fetch(generation: 2, entityTag: "\"v1\""))
        let events = machine.complete(2, .notModified(ttl: .seconds(600), entityTag: nil), at: .seconds(500))
        #expect(events == [.notModified])
        #expect(machine.gauges(now: .seconds(510)).snapshotAge == .seconds(10))
        #expect(!machine.status(url: "u", now: .seconds(1_100) - .nanoseconds(1)).isStale)
        #expect(machine.status(url: "u", now: .seconds(1_100)).isStale)
        #expect(machine.status(url: "u", now: .seconds(1_100)).keyIDs == ["ed25519-a", "es256-a"])
        #expect(machine.nextServiceStep(now: .seconds(500)) == .sleep(.seconds(450)))

        #expect(machine.nextServiceStep(now: .seconds(950)) == .startFetch(.init(generation: 3, entityTag: "\"v1\"")))
        machine.complete(3, .notModified(ttl: .seconds(600), entityTag: "\"v2\""), at: .seconds(950))
        #expect(machine.nextServiceStep(now: .seconds(1_400)) == .startFetch(.init(generation: 4, entityTag: "\"v2\"")))
    }

    @Test("a failure before any snapshot refuses with jwks_unavailable and backs off")
    func failureBeforeSnapshot() throws {
        var machine = Machine(configuration: .init())
        let first = machine.lookup("es256-a", at: .zero)
        let joining = machine.lookup("es256-a", at: .zero)
        #expect(first.fetch?.generation == 1 && joining.outcome.summary == "wait 1" && joining.fetch == nil)
        let events = machine.complete(1, .failure("unexpected HTTP status 500"), at: .zero)
        #expect(
            events == [.fetchFailed(reason: "unexpected HTTP status 500", consecutiveFailures: 1, servingStale: false)]
        )
        #expect(machine.hasCompleted(generation: 1))

        let after = machine.lookup("es256-a", at: .zero, askedAt: .zero)
        #expect(after.outcome.summary == "fail jwks_unavailable")
        #expect(after.outcome.error?.message == "JWK Set could not be loaded: unexpected HTTP status 500")
        let status = machine.status(url: "u", now: .zero)
        #expect(!status.isUsable && status.keyCount == 0 && status.consecutiveFailures == 1)
        #expect(status.lastError == "unexpected HTTP status 500" && status.lastErrorAt == Self.date)
        #expect(machine.gauges(now: .zero).snapshotAge == nil)

        let backingOff = machine.lookup("es256-a", at: .seconds(0.5))
        #expect(backingOff.outcome.summary == "fail jwks_unavailable")
        #expect(backingOff.fetch == nil && backingOff.events == [.backoffDenial])
        let retry = machine.lookup("es256-a", at: .seconds(1))
        #expect(retry.outcome.summary == "wait 2" && retry.fetch?.generation == 2)
    }

    @Test("a 304 without a cached set is a failure, not an empty set")
    func notModifiedWithoutSnapshot() throws {
        var machine = Machine(configuration: .init())
        _ = machine.lookup("es256-a", at: .zero)
        let events = machine.complete(1, .notModified(ttl: .seconds(600), entityTag: nil), at: .zero)
        let reason = "304 Not Modified without a cached set"
        #expect(events == [.fetchFailed(reason: reason, consecutiveFailures: 1, servingStale: false)])
        let after = machine.lookup("es256-a", at: .zero, askedAt: .zero)
        #expect(after.outcome.summary == "fail jwks_unavailable")
    }

    // MARK: Outages, follow-ups, manual control

    @Test("an unknown kid whose refresh failed is jwks_unavailable; after a successful one, unknown_key")
    func unknownKeyAfterFailedRefresh() throws {
        var failed = try Self.loaded()
        #expect(failed.lookup("es256-b", at: .seconds(31)).fetch?.generation == 2)
        failed.complete(2, .failure("unexpected HTTP status 503"), at: .seconds(32))
        let outage = failed.lookup("es256-b", at: .seconds(32), askedAt: .seconds(31))
        #expect(outage.outcome.summary == "fail jwks_unavailable")
        #expect(outage.outcome.error?.message == Machine.uncheckedKeyReason)
        #expect(outage.fetch == nil)
        // The known kid keeps serving from the snapshot.
        #expect(failed.lookup("es256-a", at: .seconds(32)).outcome.summary == "serve es256-a")

        var succeeded = try Self.loaded()
        _ = succeeded.lookup("es256-b", at: .seconds(31))
        succeeded.complete(2, .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil), at: .seconds(32))
        #expect(
            succeeded.lookup("es256-b", at: .seconds(32), askedAt: .seconds(31)).outcome.summary == "fail unknown_key"
        )
    }

    @Test("inside a cooldown that a failed attempt started, an unknown kid is jwks_unavailable at once")
    func cooldownAfterFailure() throws {
        var machine = try Self.loaded()
        let fetch = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        machine.complete(fetch.generation, .failure("fetch failed: connection refused"), at: .seconds(451))
        for offset in [Duration.zero, .seconds(29)] {
            let decision = machine.lookup("es256-b", at: .seconds(450) + offset)
            #expect(decision.outcome.summary == "fail jwks_unavailable")
            #expect(decision.fetch == nil && decision.events == [.unknownKeyID, .cooldownDenial])
        }
        // Past the cooldown it fetches, whatever the backoff of the background refresh.
        #expect(machine.lookup("es256-b", at: .seconds(480)).fetch?.generation == 3)

        // Near miss: a cooldown started by a successful attempt refuses the kid as unknown.
        var fine = try Self.loaded()
        let refresh = try #require(fine.nextServiceStep(now: .seconds(450)).startedFetch)
        fine.complete(refresh.generation, .notModified(ttl: .seconds(600), entityTag: nil), at: .seconds(451))
        #expect(fine.lookup("es256-b", at: .seconds(460)).outcome.summary == "fail unknown_key")
    }

    @Test("a miss that joined an earlier fetch gets one follow-up; later misses wait for the cooldown")
    func followUpFetch() throws {
        var machine = try Self.loaded()
        // A background refresh starts at 450 s with the old set; es256-b is asked for at 451 s.
        let refresh = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        let joined = machine.lookup("es256-b", at: .seconds(451))
        #expect(joined.outcome.summary == "wait \(refresh.generation)" && joined.fetch == nil)
        machine.complete(
            refresh.generation,
            .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil),
            at: .seconds(452)
        )

        // The answer predates the question: one follow-up fetch, which brings the new key.
        let followUp = machine.lookup("es256-b", at: .seconds(452), askedAt: .seconds(451))
        let fetch = try #require(followUp.fetch)
        #expect(followUp.outcome.summary == "wait \(fetch.generation)")
        let another = machine.lookup("es256-c", at: .seconds(453))
        #expect(another.outcome.summary == "wait \(fetch.generation)" && another.fetch == nil)
        machine.complete(
            fetch.generation,
            .fresh(try Self.keySet(["es256-a", "es256-b"]), ttl: .seconds(600), entityTag: nil),
            at: .seconds(454)
        )
        #expect(machine.lookup("es256-b", at: .seconds(454), askedAt: .seconds(451)).outcome.summary == "serve es256-b")
        // es256-c joined the follow-up after it had started: no second follow-up inside the
        // cooldown of the first, so it is refused.
        let answered = machine.lookup("es256-c", at: .seconds(454), askedAt: .seconds(453))
        #expect(answered.outcome.summary == "fail unknown_key" && answered.fetch == nil)
        #expect(answered.events == [.cooldownDenial])

        // A miss that joined the follow-up itself before it started is not followed up again
        // inside the cooldown of the last follow-up.
        let next = try #require(machine.nextServiceStep(now: .seconds(454 + 450)).startedFetch)
        _ = machine.lookup("es256-d", at: .seconds(454 + 451))
        machine.complete(next.generation, .notModified(ttl: .seconds(600), entityTag: nil), at: .seconds(454 + 452))
        let second = machine.lookup("es256-d", at: .seconds(454 + 452), askedAt: .seconds(454 + 451))
        #expect(second.fetch?.generation == next.generation + 1, "more than a cooldown after the first follow-up")
    }

    @Test("follow-ups start at most once per cooldown, so a steady flood costs at most two fetches per cooldown")
    func followUpRate() throws {
        var machine = try Self.loaded()
        var fetches = 0
        var inFlight: (generation: UInt64, startedAt: Duration)?
        var waiting: [(kid: String, askedAt: Duration, generation: UInt64)] = []
        // An unknown kid every 100 ms for 10 minutes; each fetch takes 1 s.
        for tick in 0..<6_000 {
            let now = Duration.milliseconds(100 * tick) + .seconds(1)
            if let fetch = inFlight, now - fetch.startedAt >= .seconds(1) {
                machine.complete(
                    fetch.generation,
                    .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil),
                    at: now
                )
                inFlight = nil
                for waiter in waiting where waiter.generation == fetch.generation {
                    let decision = machine.lookup(waiter.kid, at: now, askedAt: waiter.askedAt)
                    if let started = decision.fetch {
                        fetches += 1
                        inFlight = (started.generation, now)
                    }
                    if case .wait(let generation) = decision.outcome {
                        waiting.append((waiter.kid, waiter.askedAt, generation))
                    }
                }
                waiting.removeAll { $0.generation == fetch.generation }
            }
            let decision = machine.lookup("x\(tick)", at: now)
            if let started = decision.fetch {
                fetches += 1
                inFlight = (started.generation, now)
            }
            if case .wait(let generation) = decision.outcome { waiting.append(("x\(tick)", now, generation)) }
        }
        // Ten minutes of 30 s cooldowns: 20 ordinary fetches and 20 follow-ups at the very most.
        #expect(fetches <= 40, "\(fetches) fetches")
        #expect(fetches >= 20)
    }

    @Test("refresh by hand: joins the fetch under way, is held back inside the cooldown, else starts one")
    func manualRefresh() throws {
        var machine = try Self.loaded(at: .seconds(100))
        #expect(machine.manualRefresh(now: .seconds(129)) == nil)
        let step = machine.manualRefresh(now: .seconds(130))
        let fetch = try #require(step?.startedFetch)
        #expect(machine.manualRefresh(now: .seconds(131)) == .wait(generation: fetch.generation))
        machine.complete(fetch.generation, .failure("down"), at: .seconds(131))
        #expect(machine.lastFailure == "down")
        #expect(machine.manualRefresh(now: .seconds(131)) == nil, "the failed attempt started a cooldown")
    }

    @Test("warm-up: nothing with a usable set, the fetch under way, held back by the backoff, else a fetch")
    func warmUp() throws {
        var machine = Machine(configuration: .init())
        let first = try #require(machine.warmUp(now: .zero)?.startedFetch)
        #expect(machine.warmUp(now: .zero) == .wait(generation: first.generation))
        machine.complete(first.generation, .failure("down"), at: .zero)
        #expect(machine.warmUp(now: .seconds(0.4)) == nil, "inside the backoff")
        let second = try #require(machine.warmUp(now: .seconds(1))?.startedFetch)
        machine.complete(
            second.generation,
            .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil),
            at: .seconds(1)
        )
        #expect(machine.warmUp(now: .seconds(2)) == .sleep(.zero))
        #expect(machine.lastFailure == nil)
    }

    @Test("the jitter is drawn inside the refresh window and 0.5 … 1.5 for the backoff, and spreads")
    func jitterRanges() {
        let draws = (0..<2_000).map { _ in Machine.Jitter.random(refreshWindow: 0.6...0.85) }
        #expect(draws.allSatisfy { (0.6...0.85).contains($0.refreshFraction) && (0.5...1.5).contains($0.backoff) })
        let fractions = draws.map(\.refreshFraction)
        #expect(fractions.min()! < 0.62 && fractions.max()! > 0.83)
        let factors = draws.map(\.backoff)
        #expect(factors.min()! < 0.55 && factors.max()! > 1.45)
    }

    @Test("a refetched set keeps the objects of keys that did not change, and only those")
    func unchangedKeysKeepIdentity() throws {
        var machine = try Self.loaded()
        let before = try #require(machine.snapshot?.keys)
        let fetch = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        // ed25519-a unchanged; es256-a now names another key's material; es256-b is new.
        let changed = try JWKSet(
            json: Self.document([("ed25519-a", "ed25519-a"), ("es256-a", "es256-b"), ("es256-b", "es256-b")])
        )
        machine.complete(fetch.generation, .fresh(changed, ttl: .seconds(600), entityTag: nil), at: .seconds(451))
        let after = try #require(machine.snapshot?.keys)
        let kept = try after.key(for: "ed25519-a", algorithm: .edDSA)
        #expect(kept === (try before.key(for: "ed25519-a", algorithm: .edDSA)))
        let replaced = try after.key(for: "es256-a", algorithm: .es256)
        #expect(replaced !== (try before.key(for: "es256-a", algorithm: .es256)))
        #expect(try after.key(for: "es256-b", algorithm: .es256).keyID == "es256-b")

        // The same material under the same kid but without its alg is another key too.
        let next = try #require(machine.nextServiceStep(now: .seconds(901)).startedFetch)
        let withoutAlg = try JWKSet(json: Self.document([("ed25519-a", "ed25519-noalg"), ("es256-a", "es256-b")]))
        #expect(try withoutAlg.key(for: "ed25519-a", algorithm: .edDSA).algorithm == nil)
        machine.complete(next.generation, .fresh(withoutAlg, ttl: .seconds(600), entityTag: nil), at: .seconds(902))
        let latest = try #require(machine.snapshot?.keys)
        #expect((try latest.key(for: "ed25519-a", algorithm: .edDSA)) !== kept)
        #expect((try latest.key(for: "es256-a", algorithm: .es256)) === replaced)
    }

    @Test("the gauges: last success, usable, failures, key count and age, before and after failures")
    func gauges() throws {
        var machine = Machine(configuration: .init())
        #expect(
            machine.gauges(now: .zero)
                == .init(
                    lastSuccessUnixSeconds: nil,
                    isUsable: false,
                    consecutiveFailures: 0,
                    keyCount: 0,
                    snapshotAge: nil
                )
        )
        machine = try Self.loaded(at: .seconds(10))
        let fetch = try #require(machine.nextServiceStep(now: .seconds(460)).startedFetch)
        machine.complete(fetch.generation, .failure("down"), at: .seconds(461))
        let gauges = machine.gauges(now: .seconds(700))
        #expect(gauges.lastSuccessUnixSeconds == Self.date.timeIntervalSince1970)
        #expect(gauges.isUsable && gauges.consecutiveFailures == 1 && gauges.keyCount == 2)
        #expect(gauges.snapshotAge == .seconds(690))
        #expect(!machine.gauges(now: .seconds(610 + 86_400)).isUsable)
    }
}

extension RemoteJWKSStateMachine {
    /// A lookup of `kid` at `now`.
    mutating func lookup(
        _ kid: String,
        _ algorithm: JWTAlgorithm = .es256,
        at now: Duration,
        askedAt: Duration? = nil
    ) -> LookupDecision {
        lookup(keyID: kid, algorithm: algorithm, askedAt: askedAt, now: now)
    }

    /// Fetch `generation` completes at `now` with `result`, on the wall-clock date of the suite.
    @discardableResult
    mutating func complete(
        _ generation: UInt64,
        _ result: FetchResult,
        at now: Duration,
        jitter: Jitter = RemoteJWKSStateMachineTests.neutral
    ) -> [Event] {
        fetchCompleted(generation: generation, result, now: now, date: RemoteJWKSStateMachineTests.date, jitter: jitter)
    }
}

extension RemoteJWKSStateMachine.LookupDecision.Outcome {
    /// `serve <kid>`, `fail <code>` or `wait <generation>`.
    var summary: String {
        switch self {
        case .serve(let key): "serve \(key.keyID ?? "-")"
        case .fail(let error): "fail \(error.code.name)"
        case .wait(let generation): "wait \(generation)"
        }
    }

    var error: JWTError? {
        if case .fail(let error) = self { return error }
        return nil
    }
}

extension RemoteJWKSStateMachine.ServiceStep {
    /// The fetch this step starts, if it starts one.
    var startedFetch: RemoteJWKSStateMachine.Fetch? {
        if case .startFetch(let fetch) = self { return fetch }
        return nil
    }

    /// How long this step sleeps, if it sleeps.
    var sleepDuration: Duration? {
        if case .sleep(let duration) = self { return duration }
        return nil
    }
}
