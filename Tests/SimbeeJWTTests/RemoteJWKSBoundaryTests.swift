import Foundation
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The remote JWK Set cache at the edges of its bounds and rules: each check on both sides of its
/// boundary (configuration, cooldowns, staleness, backoff, unrequested `304`, HTTP dates).
@Suite("Remote JWKS at its boundaries")
struct RemoteJWKSBoundaryTests {
    typealias Machine = RemoteJWKSStateMachine

    // The state machine's helpers (`lookup(_:at:)`, `complete(_:_:at:)`, `startedFetch`, `summary`)
    // are in RemoteJWKSStateMachineTests.swift.

    /// Offsets from a boundary: just before it, exactly at it, just after it.
    static let aroundBoundary: [Duration] = [.nanoseconds(-1), .zero, .nanoseconds(1)]

    static func keySet(_ kids: [String] = ["es256-a", "ed25519-a"]) throws -> JWKSet {
        try JWKSet(json: RemoteJWKSHarness.document(kids))
    }

    @Test("the refresh-ahead window's upper bound is 0.95 exactly: 0.95 is accepted, anything above it refused")
    func refreshWindowUpperBound() throws {
        for (upper, accepted) in [(0.95, true), (0.950_001, false), (0.96, false), (1.0, false)] {
            var configuration = RemoteJWKS.Configuration()
            configuration.refreshAheadWindow = 0.6...upper
            do {
                _ = try RemoteJWKS(url: "https://api.simbee.io/jwks.json", configuration: configuration)
                #expect(accepted, "0.6...\(upper) was accepted")
            } catch {
                #expect(!accepted, "0.6...\(upper) was refused")
                #expect(error.code == .invalidConfiguration)
            }
        }
    }

    @Test(
        "the follow-up cooldown runs 30 s from the last follow-up: refused just before, allowed at and after",
        arguments: aroundBoundary
    )
    func followUpCooldownBoundary(offset: Duration) throws {
        var machine = Machine(configuration: .init())
        let first = try #require(machine.lookup("es256-a", at: .zero).fetch)
        machine.complete(first.generation, .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil), at: .zero)

        // A miss joins the background refresh at 450 s; its follow-up starts at 452 s.
        let refresh = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        _ = machine.lookup("es256-b", at: .seconds(451))
        machine.complete(
            refresh.generation,
            .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil),
            at: .seconds(452)
        )
        let followUp = try #require(machine.lookup("es256-b", at: .seconds(452), askedAt: .seconds(451)).fetch)
        // The follow-up brings a set that is due for a refresh at 453 + 36 × 0.75 = 480 s.
        machine.complete(
            followUp.generation,
            .fresh(try Self.keySet(), ttl: .seconds(36), entityTag: nil),
            at: .seconds(453)
        )

        // Another miss joins the refresh that starts at 480 s, which answers 30 s after the follow-up.
        let second = try #require(machine.nextServiceStep(now: .seconds(480)).startedFetch)
        #expect(machine.lookup("es256-c", at: .seconds(481)).outcome.summary == "wait \(second.generation)")
        let answeredAt = Duration.seconds(452 + 30) + offset
        machine.complete(
            second.generation,
            .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil),
            at: answeredAt
        )
        let decision = machine.lookup("es256-c", at: answeredAt, askedAt: .seconds(481))
        if offset < .zero {
            #expect(decision.outcome.summary == "fail unknown_key")
            #expect(decision.fetch == nil)
            #expect(decision.events == [.cooldownDenial])
        } else {
            #expect(decision.fetch?.generation == second.generation + 1)
            #expect(decision.outcome.summary == "wait \(second.generation + 1)")
        }
    }

    @Test(
        "load() past the staleness limit fetches: nothing to do just before it, a fetch at and after it",
        arguments: aroundBoundary
    )
    func warmUpStalenessBoundary(offset: Duration) throws {
        var configuration = RemoteJWKS.Configuration()
        configuration.maximumStaleness = .seconds(3_600)
        var machine = Machine(configuration: configuration)
        let first = try #require(machine.lookup("es256-a", at: .zero).fetch)
        machine.complete(first.generation, .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil), at: .zero)
        let step = machine.warmUp(now: .seconds(600 + 3_600) + offset)
        if offset < .zero {
            #expect(step == .sleep(.zero))
        } else {
            #expect(step == .startFetch(Machine.Fetch(generation: 2, entityTag: nil)))
        }
    }

    @Test(
        "a failed refresh reports the cache as serving stale from the moment of expiry",
        arguments: aroundBoundary
    )
    func servingStaleFromExpiry(offset: Duration) throws {
        var machine = Machine(configuration: .init())
        let first = try #require(machine.lookup("es256-a", at: .zero).fetch)
        machine.complete(first.generation, .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil), at: .zero)
        let refresh = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        let events = machine.complete(refresh.generation, .failure("down"), at: .seconds(600) + offset)
        #expect(events == [.fetchFailed(reason: "down", consecutiveFailures: 1, servingStale: offset >= .zero)])
    }

    @Test("a success inside the backoff clears it: the next refresh-ahead point is not held back")
    func successInsideBackoffClearsIt() throws {
        var configuration = RemoteJWKS.Configuration()
        configuration.initialBackoff = .seconds(60)
        var machine = Machine(configuration: configuration)
        let first = try #require(machine.lookup("es256-a", at: .zero).fetch)
        machine.complete(first.generation, .fresh(try Self.keySet(), ttl: .seconds(600), entityTag: nil), at: .zero)
        // The background refresh at 450 s fails: no retry before 511 s.
        let refresh = try #require(machine.nextServiceStep(now: .seconds(450)).startedFetch)
        machine.complete(refresh.generation, .failure("down"), at: .seconds(451))
        #expect(machine.nextServiceStep(now: .seconds(451)) == .sleep(.seconds(60)))
        // An unknown kid past the cooldown fetches inside the backoff, and that fetch succeeds with
        // a set due for a refresh at 482 + 20 × 0.75 = 497 s.
        let miss = try #require(machine.lookup("es256-b", at: .seconds(481)).fetch)
        machine.complete(
            miss.generation,
            .fresh(try Self.keySet(), ttl: .seconds(20), entityTag: nil),
            at: .seconds(482)
        )
        #expect(machine.nextServiceStep(now: .seconds(490)) == .sleep(.seconds(7)))
        #expect(machine.nextServiceStep(now: .seconds(497)).startedFetch != nil)
    }

    @Test("a 304 to a fetch that sent no If-None-Match is a failure: it does not renew the cached set")
    func unaskedNotModified() async throws {
        let harness = try await RemoteJWKSHarness.make(cacheControl: "max-age=600")
        #expect(await harness.lookup("es256-a") == "found")
        harness.server.answer(.respond(status: 304, headers: [], body: []))
        harness.clock.advance(by: .seconds(520))
        let error = await #expect(throws: JWTError.self) { try await harness.keys.refresh() }
        #expect(error?.code == .jwksUnavailable)
        #expect(harness.server.requests.last?.ifNoneMatch == nil)
        let status = harness.keys.status
        #expect(status.consecutiveFailures == 1)
        #expect(status.lastError == "unexpected HTTP status 304")
        await harness.server.shutdown()
    }

    @Test("an Expires or Date at a leap second (:60) is a valid IMF-fixdate")
    func leapSecondDate() {
        #expect(HTTPDate.parse("Sat, 31 Dec 2016 23:59:60 GMT", nowUnixSeconds: 1_796_083_200) == 1_483_228_800)
    }
}

/// Required claims that are not `iss`, `sub` or `jti`.
@Suite("Required custom claims")
struct RequiredCustomClaimTests {
    static let now: Double = 1_796_000_000

    private func outcome(_ payload: String, _ policy: ClaimsPolicy) -> String {
        do {
            _ = try ClaimsValidation.validate(payload: Array(payload.utf8), headerType: nil, policy: policy)
            return "valid"
        } catch {
            return error.code.name
        }
    }

    @Test("a required claim of any name that is null is invalid_claim, not present")
    func requiredCustomClaimNull() {
        var policy = ClaimsPolicy(requiredClaims: ["org"])
        policy.clock = TestSupport.pinnedClock(Self.now)
        #expect(outcome(#"{"exp":1796000600,"org":null}"#, policy) == "invalid_claim")
        #expect(outcome(#"{"exp":1796000600,"org":1}"#, policy) == "valid")
        #expect(outcome(#"{"exp":1796000600}"#, policy) == "missing_claim")
    }
}
