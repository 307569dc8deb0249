import Foundation
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOHTTP1
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing
@_spi(Testing) @testable import SimbeeJWT

/// The remote JWKS cache against a real HTTP server on 127.0.0.1, with time driven by a manual clock.
@Suite("Remote JWKS cache")
struct RemoteJWKSTests {
    @Test("first use fetches once; known kids then verify from the snapshot without further requests")
    func firstLoad() async throws {
        let harness = try await RemoteJWKSHarness.make()
        #expect(try await harness.outcome("es256-valid") == "valid")
        #expect(try await harness.outcome("eddsa-valid") == "valid")
        #expect(harness.server.requestCount == 1)
        #expect(harness.server.requests.first?.path == "/.well-known/jwks.json")
        #expect(harness.counter("simbee_jwks_fetches_total", [("result", "success")]) == 1)
        let status = harness.keys.status
        #expect(status.keyIDs == ["ed25519-a", "es256-a"])
        #expect(status.keyCount == 2 && status.isUsable && !status.isStale && status.lastSuccess != nil)
        #expect(harness.logs.count(containing: "fetched JWK Set") == 1)
    }

    @Test("rotation: a new kid triggers exactly one fetch and the triggering token verifies")
    func rotation() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a"])
        #expect(try await harness.outcome("es256-valid") == "valid")
        harness.clock.advance(by: .seconds(31))  // past the cooldown that the first load started
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a", "es256-b"]))
        #expect(try await harness.outcome("es256-valid-keyops") == "valid")  // kid es256-b
        #expect(harness.server.requestCount == 2)
        #expect(try await harness.outcome("es256-valid-keyops") == "valid")
        #expect(harness.server.requestCount == 2)
    }

    @Test("1,000 concurrent verifies with the same unknown kid share exactly one fetch")
    func concurrentUnknownKid() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a"])
        #expect(try await harness.outcome("es256-valid") == "valid")
        harness.clock.advance(by: .seconds(31))
        // Slow the answer so that every caller is waiting on the same refresh.
        let rotated = try RemoteJWKSHarness.document(["es256-a", "es256-b"])
        harness.server.answer(.delayed(milliseconds: 300, .respond(status: 200, headers: [], body: rotated)))
        let verifier = try harness.verifier()
        let token = try harness.token("es256-valid-keyops")
        let before = harness.server.requestCount
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<1_000 {
                group.addTask { await TestSupport.outcome(verifier, token) }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["valid": 1_000])
        #expect(harness.server.requestCount - before == 1)
    }

    @Test("10,000 random kids within one cooldown cause at most one fetch, then fail at once")
    func randomKidFlood() async throws {
        let harness = try await RemoteJWKSHarness.make()
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(31))
        let before = harness.server.requestCount
        var outcomes: [String: Int] = [:]
        for index in 0..<10_000 {
            outcomes[await harness.lookup("random-\(index)-\(UInt64.random(in: 0...UInt64.max))"), default: 0] += 1
        }
        #expect(outcomes == ["unknown_key": 10_000])
        #expect(harness.server.requestCount - before == 1)
        #expect(harness.counter("simbee_jwks_unknown_kid_total") == 10_000)
        #expect(harness.counter("simbee_jwks_cooldown_denials_total") == 9_999)
        // The cooldown runs from the last attempt: 29 s later still denied, 31 s later one more fetch.
        harness.clock.advance(by: .seconds(29))
        #expect(await harness.lookup("another") == "unknown_key")
        #expect(harness.server.requestCount - before == 1)
        harness.clock.advance(by: .seconds(2))
        #expect(await harness.lookup("another") == "unknown_key")
        #expect(harness.server.requestCount - before == 2)
    }

    @Test("a known kid with a bad signature never triggers a refresh")
    func badSignatureDoesNotRefresh() async throws {
        let harness = try await RemoteJWKSHarness.make()
        #expect(try await harness.outcome("es256-valid") == "valid")
        harness.clock.advance(by: .seconds(120))
        for _ in 0..<50 {
            #expect(try await harness.outcome("es256-wrong-key") == "invalid_signature")
        }
        #expect(harness.server.requestCount == 1)
    }

    @Test("outage after a good load: known kids keep verifying from the stale snapshot, reported as stale")
    func outageAfterLoad() async throws {
        let harness = try await RemoteJWKSHarness.make(cacheControl: "max-age=600")
        #expect(try await harness.outcome("es256-valid") == "valid")
        harness.server.answer(.respond(status: 500, headers: [], body: Array("oops".utf8)))
        harness.clock.advance(by: .seconds(601))  // past expiry
        #expect(try await harness.outcome("es256-valid") == "valid")
        try await waitUntil { harness.keys.status.consecutiveFailures == 1 }
        #expect(try await harness.outcome("es256-valid") == "valid")
        let status = harness.keys.status
        #expect(status.isStale && status.isUsable && status.keyCount == 2)
        #expect(status.lastError?.contains("500") == true)
        #expect(harness.counter("simbee_jwks_stale_serves_total") >= 2)
        #expect(harness.counter("simbee_jwks_fetches_total", [("result", "failure")]) == 1)
        #expect(harness.logs.count(containing: "refresh failed", level: .warning) == 1)
        // Backoff: no new attempt until the retry time, whatever the traffic.
        for _ in 0..<20 { _ = try await harness.outcome("es256-valid") }
        #expect(harness.server.requestCount == 2)
        harness.clock.advance(by: .seconds(2))
        _ = try await harness.outcome("es256-valid")
        try await waitUntil { harness.keys.status.consecutiveFailures == 2 }
        #expect(harness.server.requestCount == 3)
    }

    @Test("past the staleness limit the cache fails closed")
    func staleLimit() async throws {
        let harness = try await RemoteJWKSHarness.make(cacheControl: "max-age=600") {
            $0.maximumStaleness = .seconds(3_600)
        }
        #expect(await harness.lookup("es256-a") == "found")
        harness.server.answer(.respond(status: 503, headers: [], body: []))
        harness.clock.advance(by: .seconds(600 + 3_599))
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(2))
        #expect(await harness.lookup("es256-a") == "jwks_unavailable")
        #expect(!harness.keys.status.isUsable)
        // When the endpoint recovers, the next allowed attempt restores service.
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]))
        harness.clock.advance(by: .seconds(120))
        #expect(await harness.lookup("es256-a") == "found")
    }

    @Test("outage before any load: callers get jwks_unavailable, retries back off")
    func outageBeforeLoad() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil)
        harness.server.answer(.respond(status: 500, headers: [], body: []))
        #expect(try await harness.outcome("es256-valid") == "jwks_unavailable")
        #expect(harness.server.requestCount == 1)
        #expect(try await harness.outcome("es256-valid") == "jwks_unavailable")
        #expect(harness.server.requestCount == 1)  // inside the backoff: 1 s times 0.5 … 1.5
        harness.clock.advance(by: .milliseconds(1_600))
        #expect(try await harness.outcome("es256-valid") == "jwks_unavailable")
        #expect(harness.server.requestCount == 2)
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]))
        harness.clock.advance(by: .milliseconds(3_100))  // past the second backoff: 2 s times 0.5 … 1.5
        #expect(try await harness.outcome("es256-valid") == "valid")
        #expect(harness.keys.status.consecutiveFailures == 0)
    }

    @Test("concurrent callers before the first load share one fetch; on failure all get jwks_unavailable")
    func concurrentFirstLoad() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil)
        harness.server.answer(.delayed(milliseconds: 200, .respond(status: 500, headers: [], body: [])))
        let verifier = try harness.verifier()
        let token = try harness.token("es256-valid")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { await TestSupport.outcome(verifier, token) } }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["jwks_unavailable": 200])
        #expect(harness.server.requestCount == 1)
    }

    @Test("a slow endpoint times out within the limit and releases every caller")
    func slowEndpoint() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil) {
            $0.requestTimeout = .milliseconds(400)
        }
        harness.server.answer(.hang)
        let (outcomes, elapsed) = await timed {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { await harness.lookup("es256-a") } }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
        }
        #expect(outcomes == Array(repeating: "jwks_unavailable", count: 20))
        #expect(elapsed < .seconds(30), "callers were held \(elapsed)")  // a hang, not a loaded machine
        #expect(harness.keys.status.lastError?.contains("fetch failed") == true)
    }

    @Test("a fetcher that ignores its timeout still cannot hold callers")
    func hungCustomFetcher() async throws {
        struct StuckFetcher: JWKSFetcher {
            func fetch(_ request: JWKSFetchRequest) async throws -> JWKSFetchResponse {
                // Never returns and ignores cancellation.
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
                throw CancellationError()
            }
        }
        let harness = try await RemoteJWKSHarness.make(fetcher: StuckFetcher()) {
            $0.requestTimeout = .milliseconds(300)
        }
        let (outcome, elapsed) = await timed { await harness.lookup("es256-a") }
        #expect(outcome == "jwks_unavailable")
        // 300 ms and the cache's quarter second; the bound leaves room for a loaded machine.
        #expect(elapsed < .seconds(30), "the caller was held \(elapsed)")
    }

    @Test("a 10 MiB body is refused while streaming and the snapshot is kept")
    func oversizedBody() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a"])
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(31))
        harness.server.answer(.stream(bytes: 10 << 20))
        // The refresh that would decide es256-b failed: an outage, not a verdict on the kid.
        #expect(await harness.lookup("es256-b") == "jwks_unavailable")
        #expect(harness.keys.status.lastError?.contains("larger than") == true)
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.keys.status.keyIDs == ["es256-a"])
    }

    @Test("malformed bodies are refused and the snapshot is kept", arguments: [
        "not json", "{\"keys\":[]}", "{\"keys\":{}}", "[]", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        "{\"keys\":[],\"keys\":[]}", "\u{FEFF}{\"keys\":[]}",
    ])
    func malformedBodies(_ body: String) async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a"])
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(31))
        harness.server.serve(jwks: Array(body.utf8))
        // The refresh that would decide es256-b failed: an outage, not a verdict on the kid.
        #expect(await harness.lookup("es256-b") == "jwks_unavailable")
        #expect(harness.server.requestCount == 2)
        #expect(harness.keys.status.lastError != nil)
        #expect(await harness.lookup("es256-a") == "found")
    }

    @Test("a set with more keys than the limit is refused")
    func tooManyKeys() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil) { $0.maxKeys = 3 }
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a", "es256-b", "ed25519-a", "ed25519-noalg"]))
        #expect(await harness.lookup("es256-a") == "jwks_unavailable")
        #expect(harness.keys.status.lastError?.contains("more than the limit") == true)
    }

    @Test("a removed key stops verifying after the next successful refresh")
    func removedKey() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a", "es256-b"], cacheControl: "max-age=600")
        #expect(try await harness.outcome("es256-valid-keyops") == "valid")
        harness.server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]), cacheControl: "max-age=600")
        harness.clock.advance(by: .seconds(520))  // past the refresh-ahead point (at most 85 %)
        #expect(try await harness.outcome("es256-valid-keyops") == "valid")  // served while refreshing
        try await waitUntil { harness.keys.status.keyIDs == ["es256-a"] }
        #expect(try await harness.outcome("es256-valid-keyops") == "unknown_key")
        #expect(try await harness.outcome("es256-valid") == "valid")
    }

    @Test("304 Not Modified keeps the snapshot and renews it; the ETag is sent as If-None-Match")
    func notModified() async throws {
        let harness = try await RemoteJWKSHarness.make(cacheControl: "max-age=600", entityTag: "\"v1\"")
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.server.requests.last?.ifNoneMatch == nil)
        harness.clock.advance(by: .seconds(520))  // past the refresh-ahead point (at most 85 %)
        #expect(await harness.lookup("es256-a") == "found")
        try await waitUntil { harness.counter("simbee_jwks_fetches_total", [("result", "not_modified")]) == 1 }
        #expect(harness.server.requests.last?.ifNoneMatch == "\"v1\"")
        #expect(harness.keys.status.keyIDs == ["ed25519-a", "es256-a"])
        // Renewed: fresh again for a whole lifetime from now (its next refresh at 60 % or later).
        harness.clock.advance(by: .seconds(350))
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.server.requestCount == 2)
        #expect(!harness.keys.status.isStale)
    }

    @Test("a 304 without a cached set is a failure, not an empty set")
    func unexpectedNotModified() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil)
        harness.server.answer(.respond(status: 304, headers: [], body: []))
        #expect(await harness.lookup("es256-a") == "jwks_unavailable")
    }

    @Test("redirects are not followed")
    func redirect() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil)
        harness.server.answer(.respond(status: 302, headers: [("Location", "http://127.0.0.1:1/evil")], body: []))
        #expect(await harness.lookup("es256-a") == "jwks_unavailable")
        #expect(harness.server.requestCount == 1)
        #expect(harness.keys.status.lastError?.contains("302") == true)
    }

    @Test("connection refused is a failure with jwks_unavailable")
    func connectionRefused() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        let url = server.url
        await server.shutdown()
        let keys = try RemoteJWKS(url: url, configuration: .init(), fetcher: HTTPJWKSFetcher(), logger: CapturedLogs().logger, metricsFactory: TestMetrics(), clock: ManualClock(), wallClock: { Date() })
        do {
            _ = try await keys.key(for: "es256-a", algorithm: .es256)
            Issue.record("expected jwks_unavailable")
        } catch {
            #expect(error.code == .jwksUnavailable)
        }
    }

    @Test("TTL from Cache-Control: nothing is fetched before the refresh-ahead point, a refresh after it")
    func ttlDrivenByClock() async throws {
        let harness = try await RemoteJWKSHarness.make(cacheControl: "public, max-age=1000")
        #expect(await harness.lookup("es256-a") == "found")
        harness.clock.advance(by: .seconds(599))  // below the refresh window's 60 %
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.server.requestCount == 1)
        harness.clock.advance(by: .seconds(252))  // 851 s: above its 85 %
        #expect(await harness.lookup("es256-a") == "found")
        try await waitUntil { harness.server.requestCount == 2 }
    }

    @Test("TTL is clamped: max-age=10 counts as 5 minutes, a year as 24 hours")
    func ttlClamped() async throws {
        let short = try await RemoteJWKSHarness.make(cacheControl: "max-age=10")
        #expect(await short.lookup("es256-a") == "found")
        short.clock.advance(by: .seconds(200))
        #expect(await short.lookup("es256-a") == "found")
        #expect(short.server.requestCount == 1)
        #expect(!short.keys.status.isStale)
        short.clock.advance(by: .seconds(101))
        #expect(short.keys.status.isStale)

        let long = try await RemoteJWKSHarness.make(cacheControl: "max-age=31536000")
        #expect(await long.lookup("es256-a") == "found")
        long.clock.advance(by: .seconds(86_401))
        #expect(long.keys.status.isStale)
    }

    @Test("cancelling one waiting caller neither cancels the shared fetch nor the other callers")
    func cancellation() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: nil)
        // The answer is held until the cancelled caller is back: it must not wait for the fetch.
        let answer = SimbeeTestJWKSServer.Gate()
        harness.server.answer(
            .gated(answer, .respond(status: 200, headers: [], body: try RemoteJWKSHarness.document(["es256-a"])))
        )
        // Should the cancelled caller wait after all, the answer comes after a minute and the
        // expectation below fails instead of hanging.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            answer.open()
        }
        defer { watchdog.cancel() }
        let cancelled = Task { await harness.lookup("es256-a") }
        let patient = Task { await harness.lookup("es256-a") }
        try await waitUntil { harness.server.requestCount == 1 }
        cancelled.cancel()
        #expect(await cancelled.value == "cancelled")
        #expect(harness.keys.status.keyCount == 0)
        answer.open()
        #expect(await patient.value == "found")
        #expect(harness.server.requestCount == 1)
        #expect(harness.keys.status.keyIDs == ["es256-a"])
    }

    @Test("unusable keys in the remote set are skipped one by one and logged")
    func skippedKeysLogged() async throws {
        let harness = try await RemoteJWKSHarness.make(serving: ["es256-a", "rsa-1", "ed25519-identity"])
        #expect(await harness.lookup("es256-a") == "found")
        #expect(await harness.lookup("rsa-1", .es256) == "unknown_key")
        #expect(harness.logs.count(containing: "JWK skipped", level: .warning) == 2)
    }

    @Test("the background service loads at once, refreshes ahead of expiry and stops on cancellation")
    func backgroundService() async throws {
        let harness = try await RemoteJWKSHarness.make(cacheControl: "max-age=1000") { $0.startupJitter = .zero }
        let service = Task { try await harness.keys.run() }
        try await waitUntil { harness.server.requestCount == 1 && harness.keys.status.keyCount == 2 }
        try await waitUntil { harness.clock.sleeperCount == 1 }
        harness.clock.advance(by: .seconds(860))  // past the refresh-ahead point (at most 85 %)
        try await waitUntil { harness.server.requestCount == 2 }
        // Lookups in between never fetched on their own.
        #expect(await harness.lookup("es256-a") == "found")
        #expect(harness.server.requestCount == 2)
        service.cancel()
        _ = try? await service.value
        #expect(harness.server.requestCount == 2)
    }

    @Test("a RemoteJWKS sends its User-Agent and headers, and takes the response's Age off max-age")
    func headersAndAgeThroughTheCache() async throws {
        let body = String(decoding: try RemoteJWKSHarness.document(["es256-a"]), as: UTF8.self)
        let answer = LoopbackWireServer.response(
            fields: [("Content-Type", "application/json"), ("Cache-Control", "max-age=600"), ("Age", "540")],
            body: body
        )
        let server = try await LoopbackWireServer.start(answering: [.send(answer)])
        defer { Task { await server.shutdown() } }
        var configuration = RemoteJWKS.Configuration()
        configuration.minimumTTL = .seconds(30)
        configuration.userAgent = "checkout/2.1"
        configuration.additionalHeaders = [.init(name: "X-Client-Fleet", value: "eu\t1")]
        let clock = ManualClock()
        let keys = try RemoteJWKS(
            url: server.url,
            configuration: configuration,
            fetcher: HTTPJWKSFetcher(),
            logger: CapturedLogs().logger,
            metricsFactory: TestMetrics(),
            clock: clock,
            wallClock: { Date() }
        )
        _ = try await keys.key(for: "es256-a", algorithm: .es256)
        let head = try #require(server.requests.first)
        #expect(head.headers["User-Agent"] == ["checkout/2.1"])
        #expect(head.headers["X-Client-Fleet"] == ["eu\t1"])
        // 600 s of max-age, 540 of them spent in caches on the way: 60 s left.
        clock.advance(by: .seconds(59))
        #expect(!keys.status.isStale)
        clock.advance(by: .seconds(1))
        #expect(keys.status.isStale)
    }

    @Test("only https, or http to loopback, is accepted; no credentials in the URL", arguments: [
        ("https://api.simbee.io/.well-known/jwks.json", true),
        ("http://127.0.0.1:8080/jwks.json", true),
        ("http://localhost/jwks.json", true),
        ("http://[::1]:9000/jwks.json", true),
        ("http://api.simbee.io/.well-known/jwks.json", false),
        ("http://10.0.0.1/jwks.json", false),
        ("http://127.0.0.53:8080/jwks.json", true),
        ("http://127.evil.example/jwks.json", false),
        ("http://127.0.0.1.evil.example/jwks.json", false),
        ("ftp://api.simbee.io/jwks.json", false),
        ("file:///etc/passwd", false),
        ("https://user:pass@api.simbee.io/jwks.json", false),
        ("/relative/jwks.json", false),
        ("", false),
        // Ports: 1 and 65535 are the bounds; 0, 65536 and beyond are refused (65536 and 99999 once
        // trapped on the first fetch; a port past Int.max was read as no port, the default).
        ("https://api.simbee.io:1/jwks.json", true),
        ("https://api.simbee.io:65535/jwks.json", true),
        ("http://[::1]:65535/jwks.json", true),
        ("https://api.simbee.io:0/jwks.json", false),
        ("https://api.simbee.io:65536/jwks.json", false),
        ("http://127.0.0.1:99999/jwks.json", false),
        ("http://localhost:99999/jwks.json", false),
        ("http://[::1]:70000/jwks.json", false),
        ("https://api.simbee.io:99999999999999999999/jwks.json", false),
        // Look-alikes of loopback, addresses on either side of 127, and a user name alone.
        ("http://localhost.evil.example/jwks.json", false),
        ("http://localhostx/jwks.json", false),
        ("http://192.168.1.10/jwks.json", false),
        ("http://200.1.1.1/jwks.json", false),
        ("http://126.0.0.1/jwks.json", false),
        ("http://128.0.0.1/jwks.json", false),
        ("https://user@api.simbee.io/jwks.json", false),
    ])
    func urlPolicy(_ url: String, _ accepted: Bool) {
        let result = Result { () throws(JWTError) in try RemoteJWKS(url: url) }
        switch result {
        case .success: #expect(accepted, "\(url) should be refused")
        case .failure(let error):
            #expect(!accepted, "\(url) should be accepted")
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test("plain http to another host needs the explicit opt-in")
    func insecureOptIn() throws {
        let url = "http://keys.internal/jwks.json"
        let refused = #expect(throws: JWTError.self) { try RemoteJWKS(url: url) }
        #expect(refused?.code == .invalidConfiguration)
        var configuration = RemoteJWKS.Configuration()
        configuration.allowsInsecureHTTP = true
        #expect(try RemoteJWKS(url: url, configuration: configuration).url == url)
        // The opt-in widens the schemes to http only: anything else stays refused.
        let ftp = #expect(throws: JWTError.self) {
            try RemoteJWKS(url: "ftp://keys.internal/jwks.json", configuration: configuration)
        }
        #expect(ftp?.code == .invalidConfiguration)
    }

    @Test("an issuer maps to its well-known JWKS path")
    func issuerURL() throws {
        #expect(try RemoteJWKS(issuer: "https://api.simbee.io").url == "https://api.simbee.io/.well-known/jwks.json")
        #expect(try RemoteJWKS(issuer: "https://api.simbee.io/").url == "https://api.simbee.io/.well-known/jwks.json")
        #expect(
            try RemoteJWKS(issuer: "https://api.simbee.io/tenant-a").url
                == "https://api.simbee.io/tenant-a/.well-known/jwks.json"
        )
        // A query or a fragment would swallow the path: refused.
        for issuer in ["https://api.simbee.io?tenant=a", "https://api.simbee.io/#x", "https://api.simbee.io/a?"] {
            let error = #expect(throws: JWTError.self, "\(issuer)") { try RemoteJWKS(issuer: issuer) }
            #expect(error?.code == .invalidConfiguration)
        }
    }

    @Test("out-of-range configuration is refused")
    func invalidConfiguration() {
        let mutations: [(inout RemoteJWKS.Configuration) -> Void] = [
            { $0.minimumTTL = .zero },
            { $0.minimumTTL = .seconds(100); $0.maximumTTL = .seconds(50) },
            { $0.defaultTTL = .seconds(1) },
            { $0.refreshAheadWindow = 0.5...1.5 },
            { $0.unknownKeyCooldown = .seconds(-1) },
            { $0.initialBackoff = .zero },
            { $0.requestTimeout = .zero },
            { $0.connectTimeout = .seconds(3_600) },
            { $0.maxBodyBytes = 0 },
            { $0.maxKeys = 0 },
        ]
        for mutate in mutations {
            var configuration = RemoteJWKS.Configuration()
            mutate(&configuration)
            let error = #expect(throws: JWTError.self) {
                try RemoteJWKS(url: "https://api.simbee.io/jwks.json", configuration: configuration)
            }
            #expect(error?.code == .invalidConfiguration)
        }
    }
}

@Suite("HTTP caching headers")
struct CacheLifetimeTests {
    private func ttl(_ cacheControl: String?, expires: String? = nil, date: String? = nil) -> Int64 {
        CacheLifetime.ttl(
            cacheControl: cacheControl,
            expires: expires,
            date: date,
            age: nil,
            nowUnixSeconds: 784_111_777,
            defaultTTL: .seconds(600),
            minimumTTL: .seconds(300),
            maximumTTL: .seconds(86_400)
        ).components.seconds
    }

    @Test("max-age is read and clamped; no-cache and no-store count as the minimum")
    func maxAge() {
        #expect(ttl("max-age=3600") == 3_600)
        #expect(ttl("public, max-age=7200, must-revalidate") == 7_200)
        #expect(ttl("Max-Age=\"1800\"") == 1_800)
        #expect(ttl("max-age=1") == 300)
        #expect(ttl("max-age=99999999999999999999") == 86_400)
        #expect(ttl("no-cache") == 300)
        #expect(ttl("no-store, max-age=3600") == 300)
        #expect(ttl("max-age=abc") == 600)
        #expect(ttl("max-age=-5") == 600)
        #expect(ttl(nil) == 600)
        // Two max-age directives (two lines combined): when they disagree, in either order, the
        // response is stale and the minimum holds; the same value twice is that value.
        #expect(ttl("max-age=60, max-age=86400") == 300)
        #expect(ttl("max-age=86400, max-age=3600") == 300)
        #expect(ttl("max-age=3600, max-age=3600") == 3_600)
        #expect(ttl("max-age=3600, max-age=abc") == 3_600)
    }

    @Test("Expires is used without max-age, relative to Date when present")
    func expires() {
        #expect(ttl(nil, expires: "Sun, 06 Nov 1994 09:49:37 GMT", date: "Sun, 06 Nov 1994 08:49:37 GMT") == 3_600)
        // Date absent: relative to now (784111777 = 1994-11-06 08:49:37 UTC).
        #expect(ttl(nil, expires: "Sun, 06 Nov 1994 10:49:37 GMT") == 7_200)
        #expect(ttl("max-age=900", expires: "Sun, 06 Nov 1994 10:49:37 GMT") == 900)
    }

    @Test("an Expires that is not a valid HTTP-date means already expired: the minimum, not the default")
    func invalidExpires() {
        // RFC 9111 §5.3: invalid dates, "0" above all, are in the past. The obsolete formats with a
        // flaw each (an invalid day, a four-digit RFC 850 year, an asctime with a zone) are invalid.
        for invalid in ["0", "-1", "", "garbage", "Sat, 31 Feb 2026 00:00:00 GMT", "Sunday, 31-Nov-94 10:49:37 GMT",
            "Sunday, 06-Nov-1994 10:49:37 GMT", "Sun Nov  6 10:49:37 1994 GMT", "Sun Nov 31 10:49:37 1994"]
        {
            #expect(ttl(nil, expires: invalid) == 300, "\(invalid)")
            // max-age still wins over any Expires.
            #expect(ttl("max-age=900", expires: invalid) == 900, "\(invalid)")
        }
        // Near miss: no Expires at all is the default.
        #expect(ttl(nil, expires: nil) == 600)
    }

    @Test("an Expires in an obsolete HTTP-date format counts as that date (RFC 9110 §5.6.7)")
    func obsoleteExpires() {
        // now is 1994-11-06 08:49:37 UTC; each says two hours later.
        #expect(ttl(nil, expires: "Sunday, 06-Nov-94 10:49:37 GMT") == 7_200)
        #expect(ttl(nil, expires: "Sun Nov  6 10:49:37 1994") == 7_200)
        #expect(ttl(nil, expires: "Sunday, 06-Nov-94 10:49:37 GMT", date: "Sun Nov  6 09:49:37 1994") == 3_600)
    }

    /// 2026-12-01 00:00:00 UTC: the `now` for the RFC 850 dates below, whose year has two digits.
    static let now2026: Double = 1_796_083_200

    private func parse(_ text: String, now: Double = now2026) -> Double? {
        HTTPDate.parse(text, nowUnixSeconds: now)
    }

    @Test("IMF-fixdate parses to Unix time")
    func httpDate() {
        #expect(parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(parse("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(parse("Sat, 28 Nov 2026 12:00:00 GMT") == 1_795_867_200)
        #expect(parse("Sun, 06 Nov 1994 08:49:37 UTC") == nil)
        #expect(parse("Sun, 32 Nov 1994 08:49:37 GMT") == nil)
        #expect(parse("garbage") == nil)
        // Every field is digits only, of its grammar's length.
        for malformed in ["Sun, +6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 994 08:49:37 GMT",
            "Sun, 06 Nov +1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08:49:-7 GMT",
            "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 08:49:37: GMT", "Sun, 06 Nov 1969 23:59:59 GMT",
            "Sun 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT"]
        {
            #expect(parse(malformed) == nil, "\(malformed)")
        }
    }

    @Test("the obsolete RFC 850 and asctime formats parse to the same time as IMF-fixdate")
    func obsoleteHTTPDates() {
        let expected = parse("Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(expected == 784_111_777)
        #expect(parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(parse("Sun Nov 06 08:49:37 1994") == expected)
        #expect(parse("Sun Nov 16 08:49:37 1994") == expected.map { $0 + 10 * 86_400 })
        // Near misses: each format with one part out of its grammar, or in another format's place.
        for malformed in ["Sunday, 06-Nov-94 08:49:37 UTC", "Sunday, 06 Nov-94 08:49:37 GMT",
            "Sunday, 06-Nov-94-1 08:49:37 GMT", "Sunday 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-9 08:49:37 GMT",
            "Sun, Nov  6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun 6 Nov 08:49:37 1994",
            "Sun Nov  6 1994 08:49:37"]
        {
            #expect(parse(malformed) == nil, "\(malformed)")
        }
    }

    @Test("an RFC 850 year is the latest with its two digits that puts the date at most 50 years ahead")
    func rfc850TwoDigitYears() {
        let now = Self.now2026  // 2026-12-01 00:00:00
        // From 2026: 76 is 2076, 77 is 1977 (51 years would be too many); 26 is this year.
        #expect(parse("Monday, 01-Jan-76 00:00:00 GMT", now: now) == parse("Wed, 01 Jan 2076 00:00:00 GMT"))
        #expect(parse("Saturday, 01-Jan-77 00:00:00 GMT", now: now) == parse("Sat, 01 Jan 1977 00:00:00 GMT"))
        #expect(parse("Friday, 01-Jan-26 00:00:00 GMT", now: now) == parse("Thu, 01 Jan 2026 00:00:00 GMT"))
        // Exactly 50 years ahead is not more than 50: 2076. A second later it would be: 1976.
        #expect(parse("Tuesday, 01-Dec-76 00:00:00 GMT", now: now) == parse("Tue, 01 Dec 2076 00:00:00 GMT"))
        #expect(parse("Tuesday, 01-Dec-76 00:00:01 GMT", now: now) == parse("Wed, 01 Dec 1976 00:00:01 GMT"))
        #expect(parse("Monday, 30-Nov-76 23:59:59 GMT", now: now) == parse("Mon, 30 Nov 2076 23:59:59 GMT"))
        #expect(parse("Wednesday, 02-Dec-76 00:00:00 GMT", now: now) == parse("Thu, 02 Dec 1976 00:00:00 GMT"))
        // Late in 76 from early 2026 is nearly 51 years ahead: 1976.
        let startOf2026 = parse("Thu, 01 Jan 2026 00:00:00 GMT")!
        #expect(parse("Friday, 31-Dec-76 23:59:59 GMT", now: startOf2026) == parse("Fri, 31 Dec 1976 23:59:59 GMT"))
        #expect(parse("Thursday, 01-Jan-76 00:00:00 GMT", now: startOf2026) == parse("Wed, 01 Jan 2076 00:00:00 GMT"))
        // From 1994: 44 is 2044, 45 is 1945 (before 1970: no date).
        let now1994: Double = 784_111_777
        #expect(parse("Friday, 01-Jan-44 00:00:00 GMT", now: now1994) == parse("Fri, 01 Jan 2044 00:00:00 GMT"))
        #expect(parse("Monday, 01-Jan-45 00:00:00 GMT", now: now1994) == nil)
        // From 2080: 30 is 2130, 31 is 2031.
        let now2080 = parse("Mon, 01 Jul 2080 00:00:00 GMT")!
        #expect(parse("Monday, 01-Jan-30 00:00:00 GMT", now: now2080) == parse("Sun, 01 Jan 2130 00:00:00 GMT"))
        #expect(parse("Monday, 01-Jan-31 00:00:00 GMT", now: now2080) == parse("Wed, 01 Jan 2031 00:00:00 GMT"))
        // Today's date is exact at a year's last and first second (2026-12-31 23:59:59 is 56.9999
        // mean Gregorian years after 1970, which an estimate by mean years would read as 2027).
        let endOf2026 = parse("Thu, 31 Dec 2026 23:59:59 GMT")!
        #expect(endOf2026 == 1_798_761_599)
        #expect(parse("Monday, 01-Jan-76 00:00:00 GMT", now: endOf2026) == parse("Wed, 01 Jan 2076 00:00:00 GMT"))
        #expect(parse("Monday, 01-Jan-77 00:00:00 GMT", now: endOf2026) == parse("Sat, 01 Jan 1977 00:00:00 GMT"))
        #expect(parse("Monday, 01-Jan-77 00:00:00 GMT", now: endOf2026 + 1) == parse("Fri, 01 Jan 2077 00:00:00 GMT"))
        let endOf2024 = parse("Tue, 31 Dec 2024 23:59:59 GMT")!
        #expect(parse("Friday, 01-Jan-75 00:00:00 GMT", now: endOf2024) == parse("Wed, 01 Jan 1975 00:00:00 GMT"))
        #expect(parse("Friday, 01-Jan-75 00:00:00 GMT", now: endOf2024 + 1) == parse("Tue, 01 Jan 2075 00:00:00 GMT"))
        // 29 February of the year the rule picks: 2000 was a leap year, 2100 will not be.
        #expect(parse("Tuesday, 29-Feb-00 12:00:00 GMT", now: now) == parse("Tue, 29 Feb 2000 12:00:00 GMT"))
        #expect(parse("Monday, 29-Feb-00 12:00:00 GMT", now: now2080) == nil)
        // A clock that is not a time at all still gives an answer, never a trap.
        for odd in [Double.nan, .infinity, -.infinity, -1, 1e300] {
            #expect(parse("Monday, 01-Jan-76 00:00:00 GMT", now: odd) != nil)
        }
    }

    @Test("a day that its month does not have is not a date; the last real day is")
    func httpDateDayInMonth() {
        #expect(parse("Sat, 31 Feb 2026 00:00:00 GMT") == nil)
        #expect(parse("Sun, 29 Feb 2026 00:00:00 GMT") == nil)  // 2026 is not a leap year
        #expect(parse("Tue, 29 Feb 2028 00:00:00 GMT") == 1_835_395_200)
        #expect(parse("Tue, 29 Feb 2000 00:00:00 GMT") == 951_782_400)  // divisible by 400
        #expect(parse("Mon, 29 Feb 2100 00:00:00 GMT") == nil)  // divisible by 100, not 400
        #expect(parse("Fri, 31 Apr 2026 00:00:00 GMT") == nil)
        #expect(parse("Thu, 30 Apr 2026 00:00:00 GMT") == 1_777_507_200)
        #expect(parse("Thu, 31 Dec 2026 00:00:00 GMT") == 1_798_675_200)
    }
}

@Suite("Simbee in one line")
struct SimbeePresetTests {
    @Test("the one-line verifier fetches the issuer's well-known JWK Set and applies Simbee's policy")
    func oneLine() async throws {
        // The testing kit mints fresh tokens as https://api.simbee.io, so the one-liner's real clock
        // and issuer check accept them; the keys come from the kit's server on 127.0.0.1.
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let keys = try RemoteJWKS(issuer: "http://127.0.0.1:\(server.port)")
        #expect(keys.url == server.url)
        let verifier = try JWTVerifier.simbee(clientID: "cl_123", keys: keys)
        let mine = TestClaims(subject: "cu_1", audience: ["cl_123"])

        #expect(try await verifier.verify(try issuer.token(mine)).claims.subject == "cu_1")
        #expect(try await verifier.verify(try issuer.token(mine, algorithm: .edDSA)).header.algorithm == .edDSA)
        await TestSupport.expect(try issuer.token(mine.omitting(["sub"])), verifier, .missingClaim)
        await TestSupport.expect(try issuer.token(mine.omitting(["exp"])), verifier, .missingClaim)
        await TestSupport.expect(try issuer.token(), verifier, .audienceMismatch)  // for cl_test
        await TestSupport.expect(try issuer.token(.wrongIssuer.with("aud", "cl_123")), verifier, .issuerMismatch)
        await TestSupport.expect(try issuer.token(.expired.with("aud", "cl_123")), verifier, .expired)
        #expect(server.requestCount == 1)
        await server.shutdown()

        let simbee = try RemoteJWKS(issuer: JWTVerifier.Configuration.simbeeIssuer)
        #expect(simbee.url == "https://api.simbee.io/.well-known/jwks.json")
        let empty = Result { () throws(JWTError) in try JWTVerifier.simbee(clientID: "", keys: simbee) }
        #expect(throws: JWTError.self) { try empty.get() }
    }
}
