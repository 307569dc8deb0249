import Foundation
import Logging
import NIOConcurrencyHelpers
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The remote JWKS cache in operation, end to end on a manual clock against the loopback server:
/// outages told apart from unknown keys, keys published during a fetch, the background service's
/// backoff, re-planning and gauges, the waiter cap, cancellation, task-locals, `refresh()` and
/// `load()`, and the verified-token cache across refreshes.
@Suite("Remote JWKS cache in operation")
struct RemoteJWKSOperationsTests {
    typealias Gate = SimbeeTestJWKSServer.Gate

    /// The task-local a request handler would set, to see whether fetches carry it.
    enum RequestContext {
        @TaskLocal static var requestID: String?
    }

    /// Delegates to ``HTTPJWKSFetcher`` and notes the ``RequestContext/requestID`` each fetch sees.
    struct TaskLocalRecordingFetcher: JWKSFetcher {
        let seen = NIOLockedValueBox<[String?]>([])
        private let http = HTTPJWKSFetcher()

        func fetch(_ request: JWKSFetchRequest) async throws -> JWKSFetchResponse {
            seen.withLockedValue { $0.append(RequestContext.requestID) }
            return try await http.fetch(request)
        }
    }

    /// The answer of an endpoint that is down.
    static let failure = SimbeeTestJWKSServer.Action.respond(status: 500, headers: [], body: [])

    /// The two keys the harness serves by default.
    static func defaultDocument(cacheControl: String? = nil) throws -> SimbeeTestJWKSServer.Document {
        .init(body: try RemoteJWKSHarness.document(["es256-a", "ed25519-a"]), cacheControl: cacheControl)
    }

    /// A harness whose fetches may take as long as a loaded machine needs: these tests order events
    /// by gates and the manual clock, never by the real-time connect and request timeouts.
    static func harness(
        serving kids: [String]? = ["es256-a", "ed25519-a"],
        cacheControl: String? = nil,
        fetcher: (any JWKSFetcher)? = nil,
        configure: (inout RemoteJWKS.Configuration) -> Void = { _ in }
    ) async throws -> RemoteJWKSHarness {
        try await RemoteJWKSHarness.make(serving: kids, cacheControl: cacheControl, fetcher: fetcher) {
            $0.connectTimeout = .seconds(60)
            $0.requestTimeout = .seconds(120)
            configure(&$0)
        }
    }

    /// Opens `gate` after five minutes, so that a test whose caller wrongly waits for a held answer
    /// fails instead of hanging.
    /// `count` concurrent lookups of `es256-a`, each adding one to `finished` when it returns; the
    /// task's value counts the outcomes.
    static func concurrentLookups(
        _ count: Int,
        of harness: RemoteJWKSHarness,
        counting finished: NIOLockedValueBox<Int>
    ) -> Task<[String: Int], Never> {
        Task {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        let outcome = await harness.lookup("es256-a")
                        finished.withLockedValue { $0 += 1 }
                        return outcome
                    }
                }
                return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
        }
    }

    /// Makes the server hold its next answer, a set with `es256-a`, until the returned gate opens.
    static func holdNextFetch(of harness: RemoteJWKSHarness) throws -> Gate {
        let held = Gate()
        let document = try RemoteJWKSHarness.document(["es256-a"])
        harness.server.answer(.gated(held, .respond(status: 200, headers: [], body: document)))
        return held
    }

    static func watchdog(_ gate: Gate) -> Task<Void, Never> {
        Task {
            try? await Task.sleep(for: .seconds(300))
            gate.open()
        }
    }

    /// How many times the gauges have been recorded so far: by each fetch, each turn of the service
    /// loop and each status read.
    static func gaugeRecordings(_ harness: RemoteJWKSHarness) -> Int {
        harness.gaugeValues("simbee_jwks_usable").count
    }

    @Test("a failed fetch starts the cooldown: unknown kids are jwks_unavailable at once until it ends")
    func failedFetchStartsCooldown() async throws {
        let harness = try await Self.harness()
        #expect(await harness.lookup("es256-a") == "found")
        // Near miss: the attempt that started this cooldown succeeded, so the kid is unknown.
        #expect(await harness.lookup("es256-new") == "unknown_key")
        #expect(harness.server.requestCount == 1)

        harness.clock.advance(by: .seconds(31))
        harness.server.answer(Self.failure)
        #expect(await harness.lookup("es256-new") == "jwks_unavailable")
        #expect(harness.server.requestCount == 2)
        #expect(harness.keys.status.lastError?.contains("500") == true)

        harness.clock.advance(by: .seconds(29))  // 29 s after the failed attempt
        #expect(await harness.lookup("es256-other") == "jwks_unavailable")
        #expect(harness.server.requestCount == 2)
        #expect(harness.counter("simbee_jwks_cooldown_denials_total") == 2)
        #expect(await harness.lookup("es256-a") == "found")

        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a", "es256-b"]))
        harness.clock.advance(by: .seconds(1))  // 30 s after it: the cooldown is over
        #expect(await harness.lookup("es256-b") == "found")
        #expect(harness.server.requestCount == 3)

        // Near miss: inside the cooldown of a successful attempt, the verdict is unknown_key.
        harness.clock.advance(by: .seconds(29))
        #expect(await harness.lookup("es256-other") == "unknown_key")
        #expect(harness.server.requestCount == 3)
    }

    @Test("an unknown-kid flood during an outage costs one request per cooldown; known kids keep serving")
    func unknownKidFloodDuringOutage() async throws {
        let harness = try await Self.harness()
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(31))
        harness.server.answer(.respond(status: 503, headers: [], body: []))

        /// 200 distinct unknown kids and 50 lookups of a known one, all at once.
        func flood(_ wave: Int) async -> [String: Int] {
            await withTaskGroup(of: String.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let outcome = await harness.lookup("flood-\(wave)-\(index)")
                        return "unknown " + outcome
                    }
                    if index % 4 == 0 {
                        group.addTask {
                            let outcome = await harness.lookup("es256-a")
                            return "known " + outcome
                        }
                    }
                }
                return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
        }
        let expected = ["unknown jwks_unavailable": 200, "known found": 50]

        #expect(await flood(1) == expected)
        #expect(harness.server.requestCount == 2)
        harness.clock.advance(by: .seconds(29))  // still inside the cooldown of the failed attempt
        #expect(await flood(2) == expected)
        #expect(harness.server.requestCount == 2)
        // Near miss: once the cooldown is over, the next flood costs exactly one more request.
        harness.clock.advance(by: .seconds(1))
        #expect(await flood(3) == expected)
        #expect(harness.server.requestCount == 3)
        #expect(await harness.lookup("es256-a") == "found")
    }

    @Test("a key published while a fetch was under way is found through one follow-up fetch")
    func keyPublishedDuringFetch() async throws {
        let harness = try await Self.harness(serving: ["es256-a"], cacheControl: "max-age=600")
        #expect(await harness.lookup("es256-a") == "found")
        let held = Gate()
        let watchdog = Self.watchdog(held)
        defer { watchdog.cancel() }
        let old = try RemoteJWKSHarness.document(["es256-a"])
        harness.server.answer(
            .gated(held, .respond(status: 200, headers: [("Cache-Control", "max-age=600")], body: old))
        )
        harness.clock.advance(by: .seconds(520))  // past the refresh point (at most 85 % of 600 s)
        #expect(await harness.lookup("es256-a") == "found")  // served at once; starts the held refresh
        try await waitUntil { harness.server.requestCount == 2 }

        // Asked after the held fetch started, so its answer may predate the keys: both join it.
        harness.clock.advance(by: .seconds(1))
        let published = Task { await harness.lookup("es256-b") }
        let absent = Task { await harness.lookup("es256-x") }
        try await waitUntil { harness.counter("simbee_jwks_unknown_kid_total") == 2 }
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a", "es256-b"]), cacheControl: "max-age=600")
        held.open()
        #expect(await published.value == "found")
        #expect(await absent.value == "unknown_key")  // decided by the follow-up, which it shared
        #expect(harness.server.requestCount == 3)  // the held refresh and one follow-up

        // Near miss: another unknown kid inside the follow-up's cooldown is refused without a request,
        // and once the cooldown is over it is fetched for.
        harness.clock.advance(by: .seconds(29))
        #expect(await harness.lookup("es256-y") == "unknown_key")
        #expect(harness.server.requestCount == 3)
        harness.clock.advance(by: .seconds(1))
        #expect(await harness.lookup("es256-y") == "unknown_key")
        #expect(harness.server.requestCount == 4)
    }

    @Test("run() retries a failing endpoint with doubling, jittered delays up to the cap, then recovers")
    func serviceBacksOffAndRecovers() async throws {
        let harness = try await Self.harness(serving: nil) { $0.startupJitter = .zero }
        harness.server.answer(Self.failure)
        let service = Task { try await harness.keys.run() }
        try await waitUntil { harness.server.requestCount == 1 && harness.clock.sleeperCount == 1 }

        // Step the clock, letting the service go back to sleep each time, and note when each request
        // came: request k + 1 comes at the first step at or after request k + its delay.
        let step = Duration.milliseconds(500)
        var now = Duration.zero
        var requestTimes: [Duration] = [.zero]
        while requestTimes.count < 10, now < .seconds(500) {
            harness.clock.advance(by: step)
            now += step
            try await waitUntil { harness.clock.sleeperCount == 1 }
            let count = harness.server.requestCount
            #expect(count <= requestTimes.count + 1, "more than one request in one step, at \(now)")
            if count > requestTimes.count { requestTimes.append(now) }
        }
        #expect(requestTimes.count == 10)
        // The delay after failure k is min(1 s × 2^(k−1), 60 s) times 0.5 … 1.5.
        for (index, (earlier, later)) in zip(requestTimes, requestTimes.dropFirst()).enumerated() {
            let base = Duration.seconds(min(1 << index, 60))
            let interval = later - earlier
            #expect(interval >= base * 0.5, "retry \(index + 1) came after \(interval), base \(base)")
            #expect(interval < base * 1.5 + step, "retry \(index + 1) came after \(interval), base \(base)")
        }
        #expect(harness.gauge("simbee_jwks_consecutive_failures") == 10)
        #expect(harness.gauge("simbee_jwks_usable") == 0)

        // Recovery at the next retry, at most 90 s away.
        harness.server.serve(try Self.defaultDocument())
        var waited = Duration.zero
        while harness.server.requestCount == 10, waited < .seconds(100) {
            harness.clock.advance(by: step)
            waited += step
            try await waitUntil { harness.clock.sleeperCount == 1 }
        }
        #expect(harness.server.requestCount == 11)
        #expect(harness.gauge("simbee_jwks_consecutive_failures") == 0)
        #expect(harness.gauge("simbee_jwks_usable") == 1)
        #expect(harness.gauge("simbee_jwks_keys") == 2)
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.server.requestCount == 11)
        service.cancel()
        _ = try? await service.value
    }

    @Test("the service re-plans when a lookup's fetch shortens the lifetime")
    func serviceReplansAfterLookupFetch() async throws {
        let harness = try await Self.harness(cacheControl: "max-age=1000") { $0.startupJitter = .zero }
        let service = Task { try await harness.keys.run() }
        // Loaded, and asleep toward a refresh 600 … 850 s away.
        try await waitUntil { harness.server.requestCount == 1 && harness.clock.sleeperCount == 1 }
        harness.server.serve(try Self.defaultDocument(cacheControl: "max-age=300"))
        harness.clock.advance(by: .seconds(31))  // past the cooldown of the first load
        let recorded = Self.gaugeRecordings(harness)
        #expect(await harness.lookup("es256-unknown") == "unknown_key")
        #expect(harness.server.requestCount == 2)
        // The fetch recorded the gauges, and the service, woken by it, recorded them and slept again.
        try await waitUntil { Self.gaugeRecordings(harness) >= recorded + 2 && harness.clock.sleeperCount == 1 }

        // The refresh point is now 180 … 255 s after that fetch. Near miss: 170 s is before it.
        harness.clock.advance(by: .seconds(170))
        try await waitUntil { harness.clock.sleeperCount == 1 }
        #expect(harness.server.requestCount == 2)
        harness.clock.advance(by: .seconds(90))  // 260 s after the fetch, with no lookup
        try await waitUntil { harness.server.requestCount == 3 }
        service.cancel()
        _ = try? await service.value
    }

    @Test("the gauges stay current through a failing spell without anyone reading status")
    func gaugesDoNotGoStale() async throws {
        let harness = try await RemoteJWKSHarness.make {
            $0.startupJitter = .zero
            $0.maximumStaleness = .seconds(300)  // usable until 600 s (the default TTL) + 300 s
        }
        let service = Task { try await harness.keys.run() }
        try await waitUntil { harness.server.requestCount == 1 && harness.clock.sleeperCount == 1 }
        let loadedAt = try #require(harness.gauge("simbee_jwks_last_success_timestamp_seconds"))
        #expect(abs(loadedAt - Date().timeIntervalSince1970) < 600)
        #expect(harness.gauge("simbee_jwks_keys") == 2)
        harness.server.answer(.respond(status: 503, headers: [], body: []))

        var failures: [Double] = []
        for minute in 1...15 {
            harness.clock.advance(by: .seconds(60))  // at least the longest service sleep
            try await waitUntil { harness.clock.sleeperCount == 1 }
            let failed = harness.gauge("simbee_jwks_consecutive_failures")
            #expect(harness.gauge("simbee_jwks_snapshot_age_seconds") == Double(60 * minute))
            #expect(failed == Double(harness.server.requestCount - 1))
            #expect(harness.gauge("simbee_jwks_usable") == (minute < 15 ? 1.0 : 0.0), "at minute \(minute)")
            #expect(harness.gauge("simbee_jwks_keys") == 2)
            failures.append(failed ?? -1)
        }
        // The refresh falls due at 360 … 510 s: no failure before 6 minutes, at least two by 10.
        #expect(failures[..<5].allSatisfy { $0 == 0 })
        #expect(failures[9] >= 2)
        #expect(failures == failures.sorted())
        #expect(Set(harness.gaugeValues("simbee_jwks_last_success_timestamp_seconds")) == [loadedAt])
        service.cancel()
        _ = try? await service.value
    }

    @Test("beyond maximumWaiters, lookups during a held fetch are answered jwks_unavailable at once")
    func waiterCap() async throws {
        let harness = try await Self.harness(serving: nil)
        let held = try Self.holdNextFetch(of: harness)
        let finished = NIOLockedValueBox(0)
        let lookups = Self.concurrentLookups(1_100, of: harness, counting: finished)
        // Every lookup waits for the held fetch until the waiters are full; the rest are answered.
        let overflow = 1_100 - RemoteJWKS.maximumWaiters
        try await waitUntil { finished.withLockedValue { $0 } >= overflow }
        #expect(finished.withLockedValue { $0 } == overflow)
        #expect(harness.counter("simbee_jwks_wait_overflows_total") == Int64(overflow))
        held.open()
        let outcomes = await lookups.value
        #expect(outcomes == ["jwks_unavailable": overflow, "found": RemoteJWKS.maximumWaiters])
        #expect(harness.counter("simbee_jwks_wait_overflows_total") == Int64(overflow))
        #expect(harness.server.requestCount == 1)
    }

    @Test("a load() waiting for the same fetch does not take a lookup's place among the waiters")
    func unboundedWaitsOutsideTheCap() async throws {
        let harness = try await Self.harness(serving: nil)
        let held = try Self.holdNextFetch(of: harness)
        let watchdog = Self.watchdog(held)
        defer { watchdog.cancel() }
        let warmUp = Task { () async -> String in
            do throws(JWTError) {
                try await harness.keys.load()
                return "loaded"
            } catch {
                return error.code.name
            }
        }
        try await waitUntil { harness.server.requestCount == 1 }
        let finished = NIOLockedValueBox(0)
        let lookups = Self.concurrentLookups(RemoteJWKS.maximumWaiters + 1, of: harness, counting: finished)
        // A full set of lookups waits beside load(); only the one past the cap is answered at once.
        try await waitUntil { finished.withLockedValue { $0 } >= 1 }
        #expect(finished.withLockedValue { $0 } == 1)
        held.open()
        #expect(await lookups.value == ["jwks_unavailable": 1, "found": RemoteJWKS.maximumWaiters])
        #expect(await warmUp.value == "loaded")
        #expect(harness.counter("simbee_jwks_wait_overflows_total") == 1)
    }

    @Test("cancelling the caller that started a fetch: it gets cancelled, the fetch serves the others")
    func cancellingTheFetchingCaller() async throws {
        let harness = try await Self.harness(serving: nil)
        let held = try Self.holdNextFetch(of: harness)
        let watchdog = Self.watchdog(held)
        defer { watchdog.cancel() }
        let first = Task { await harness.lookup("es256-a") }
        try await waitUntil { harness.server.requestCount == 1 }  // the first caller started the fetch
        let second = Task { await harness.lookup("es256-a") }
        first.cancel()
        #expect(await first.value == "cancelled")  // back while the answer is still held
        #expect(harness.keys.status.keyCount == 0)
        held.open()
        #expect(await second.value == "found")
        #expect(harness.server.requestCount == 1)
        #expect(harness.logs.count(containing: "fetched JWK Set", level: .info) == 1)
        let loud = harness.logs.all.filter { $0.level >= .warning }.map(\.message)
        #expect(loud.isEmpty, "logged: \(loud)")
    }

    @Test("the fetch runs without the triggering caller's task-local values")
    func fetchRunsWithoutTaskLocals() async throws {
        let fetcher = TaskLocalRecordingFetcher()
        let harness = try await Self.harness(fetcher: fetcher)
        let (outcome, seenByCaller) = await RequestContext.$requestID.withValue("request-42") {
            let outcome = await harness.lookup("es256-a")
            return (outcome, RequestContext.requestID)
        }
        #expect(outcome == "found")
        #expect(seenByCaller == "request-42")
        #expect(fetcher.seen.withLockedValue { $0 } == [nil])
        // Near miss: the same fetcher called from the caller's task does see the value.
        let request = JWKSFetchRequest(
            url: harness.server.url,
            entityTag: nil,
            connectTimeout: .seconds(60),
            timeout: .seconds(60),
            maxBodyBytes: 1 << 16
        )
        _ = try await RequestContext.$requestID.withValue("request-42") { try await fetcher.fetch(request) }
        #expect(fetcher.seen.withLockedValue { $0 } == [nil, "request-42"])
    }

    @Test("load() warms up once and fails during an outage; refresh() keeps to the cooldown")
    func refreshAndLoad() async throws {
        let harness = try await Self.harness()
        try await harness.keys.load()
        #expect(harness.server.requestCount == 1)
        #expect(harness.keys.status.keyIDs == ["ed25519-a", "es256-a"])
        try await harness.keys.load()
        #expect(harness.server.requestCount == 1)

        // refresh(): not inside the cooldown of the last attempt, whatever it was.
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a", "es256-b"]))
        harness.clock.advance(by: .seconds(29))
        #expect(try await harness.keys.refresh() == false)
        #expect(harness.server.requestCount == 1)
        harness.clock.advance(by: .seconds(1))
        #expect(try await harness.keys.refresh() == true)
        #expect(harness.server.requestCount == 2)
        #expect(await harness.lookup("es256-b") == "found")
        #expect(harness.server.requestCount == 2)

        harness.clock.advance(by: .seconds(30))
        harness.server.answer(Self.failure)
        let refreshFailure = await #expect(throws: JWTError.self) { try await harness.keys.refresh() }
        #expect(refreshFailure?.code == .jwksUnavailable)
        #expect(harness.server.requestCount == 3)
        #expect(await harness.lookup("es256-b") == "found")
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.server.requestCount == 3)

        // load() against an endpoint that fails from the start.
        let down = try await Self.harness(serving: nil)
        down.server.answer(Self.failure)
        let loadFailure = await #expect(throws: JWTError.self) { try await down.keys.load() }
        #expect(loadFailure?.code == .jwksUnavailable)
        #expect(down.server.requestCount == 1)
        let backingOff = await #expect(throws: JWTError.self) { try await down.keys.load() }
        #expect(backingOff?.code == .jwksUnavailable)
        #expect(down.server.requestCount == 1)  // inside the backoff: 1 s times 0.5 … 1.5
        down.clock.advance(by: .milliseconds(1_500))
        await #expect(throws: JWTError.self) { try await down.keys.load() }
        #expect(down.server.requestCount == 2)
        down.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]))
        down.clock.advance(by: .seconds(3))  // past the second backoff: 2 s times 0.5 … 1.5
        try await down.keys.load()
        #expect(down.server.requestCount == 3)
        #expect(await down.lookup("es256-a") == "found")
    }

    @Test("a refresh that brings the same keys keeps the verified-token cache; a changed key does not")
    func unchangedKeysKeepTokenCache() async throws {
        let harness = try await Self.harness(cacheControl: "max-age=600")
        let verifier = try harness.verifier()
        let cache = try #require(verifier.tokenCache)
        let token = try harness.token("es256-valid")  // kid es256-a
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        #expect(cache.statistics.hits == 1)
        let verifiedWith = try #require(harness.keys.cachedKey(for: "es256-a", algorithm: .es256))

        /// Lets a background refresh fetch the set the server now serves, past the refresh point
        /// (at most 85 % of 600 s), triggered by a lookup of the other kid.
        func backgroundRefresh(_ fetches: Int64) async throws {
            harness.clock.advance(by: .seconds(520))
            #expect(await harness.lookup("ed25519-a", .edDSA) == "found")
            try await waitUntil { harness.counter("simbee_jwks_fetches_total", [("result", "success")]) == fetches }
        }

        try await backgroundRefresh(2)  // a 200 without ETag, serving the same set
        #expect(harness.server.requests.last?.ifNoneMatch == nil)
        #expect(harness.keys.cachedKey(for: "es256-a", algorithm: .es256) === verifiedWith)
        #expect(await TestSupport.outcome(verifier, token) == "valid")
        #expect(cache.statistics.hits == 2 && cache.statistics.entries == 1)
        #expect(cache.lookup(VerifiedTokenCache.Key(token))?.key === verifiedWith)  // the remembered entry, not a new one

        // Near miss: es256-a now names other key material, which does not match the signature.
        let swapped = try RemoteJWKSHarness.document(["es256-a", "ed25519-a"], material: ["es256-a": "es256-b"])
        harness.server.serve(jwks: swapped, cacheControl: "max-age=600")
        try await backgroundRefresh(3)
        #expect(harness.keys.cachedKey(for: "es256-a", algorithm: .es256) !== verifiedWith)
        #expect(await TestSupport.outcome(verifier, token) == "invalid_signature")
        #expect(cache.statistics.entries == 0)
    }

    @Test("run() waits out its startup jitter before the first load")
    func startupJitter() async throws {
        let harness = try await RemoteJWKSHarness.make { $0.startupJitter = .seconds(10) }
        let service = Task { try await harness.keys.run() }
        try await waitUntil { harness.clock.sleeperCount == 1 }
        #expect(harness.server.requestCount == 0)
        harness.clock.advance(by: .seconds(10))
        try await waitUntil { harness.server.requestCount == 1 }
        service.cancel()
        _ = try? await service.value

        // Near miss: without jitter the first load needs no time to pass.
        let eager = try await RemoteJWKSHarness.make { $0.startupJitter = .zero }
        let eagerService = Task { try await eager.keys.run() }
        try await waitUntil { eager.server.requestCount == 1 && eager.clock.sleeperCount == 1 }
        eagerService.cancel()
        _ = try? await eagerService.value
    }
}
