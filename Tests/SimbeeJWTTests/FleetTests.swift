import CoreMetrics
import Foundation
import Logging
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// A fleet of caches against one JWK Set endpoint, as the DocC article "JWKS caching" counts it:
/// a thousand `RemoteJWKS` services on one manual clock and one loopback server, through a first
/// start together, steady refreshes and a ten-minute outage. The requests each simulated second
/// brings are compared with the article's bounds.
@Suite("Fleet: a thousand caches against one endpoint")
struct FleetTests {
    static let instances = 1_000
    /// The server's `max-age`, which is also the shortest lifetime the caches accept.
    static let lifetime = 300

    /// The caches and their services, the clock they share, and the requests counted per step.
    final class Fleet: Sendable {
        let server: SimbeeTestJWKSServer
        let clock = ManualClock()
        let caches: [RemoteJWKS]
        let services: [Task<Void, Never>]

        init(server: SimbeeTestJWKSServer) throws {
            self.server = server
            var configuration = RemoteJWKS.Configuration()
            configuration.minimumTTL = .seconds(Int64(FleetTests.lifetime))
            let clock = self.clock
            caches = try (0..<FleetTests.instances).map { _ in
                try RemoteJWKS(
                    url: server.url,
                    configuration: configuration,
                    fetcher: HTTPJWKSFetcher(),
                    logger: Logger(label: "fleet", factory: { _ in SwiftLogNoOpLogHandler() }),
                    metricsFactory: NOOPMetricsHandler.instance,
                    clock: clock,
                    wallClock: { Date() }
                )
            }
            services = caches.map { cache in Task { try? await cache.run() } }
        }

        /// Moves the clock by `step` and waits until every service sleeps again; the requests
        /// the step brought.
        func advance(by step: Duration) async throws -> Int {
            let before = server.requestCount
            clock.advance(by: step)
            try await waitUntil(timeout: .seconds(120)) { clock.sleeperCount == FleetTests.instances }
            return server.requestCount - before
        }

        func stop() async {
            for service in services { service.cancel() }
            for service in services { await service.value }
        }
    }

    @Test("start, steady refreshes and an outage's end stay within the article's bounds")
    func fleetBounds() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(
            serving: issuer,
            cacheControl: "public, max-age=\(Self.lifetime)"
        )
        let fleet = try Fleet(server: server)
        let n = Double(Self.instances)
        let lifetime = Double(Self.lifetime)

        // Start together: the first loads spread over the 1 s startup jitter.
        try await waitUntil(timeout: .seconds(120)) { fleet.clock.sleeperCount == Self.instances }
        var startSlots: [Int] = []
        for _ in 0..<24 { startSlots.append(try await fleet.advance(by: .milliseconds(50))) }
        #expect(startSlots.reduce(0, +) == Self.instances, "every cache loaded once")
        #expect(startSlots.max()! <= Self.instances * 15 / 100, "no 50 ms slot with 15 % of the fleet: \(startSlots)")

        // Three lifetimes of steady refreshes, second by second.
        var steady: [Int] = []
        for _ in 0..<(3 * Self.lifetime) { steady.append(try await fleet.advance(by: .seconds(1))) }
        // The first wave, from one start: N fetches inside (0.85 − 0.6) × lifetime.
        let firstWave = steady[Int(0.6 * lifetime - 2)..<Int(0.85 * lifetime + 1)].reduce(0, +)
        #expect(firstWave == Self.instances, "each cache refreshed once in its window: \(firstWave)")
        let wavePeak = n / (0.25 * lifetime)
        #expect(Double(steady.max()!) <= 3 * wavePeak, "peak \(steady.max()!)/s against \(wavePeak)/s on average")
        // Later lifetimes: between N / (0.85 × lifetime) and N / (0.6 × lifetime) a second.
        let late = steady[Self.lifetime...].reduce(0, +)
        let lateSeconds = Double(steady.count - Self.lifetime)
        #expect(Double(late) <= lateSeconds * n / (0.6 * lifetime) + n)
        #expect(Double(late) >= lateSeconds * n / (0.85 * lifetime) - n)

        // A ten-minute outage: the caches keep serving and retry with jittered backoff.
        server.isAvailable = false
        var outage: [Int] = []
        for _ in 0..<600 { outage.append(try await fleet.advance(by: .seconds(1))) }
        #expect(fleet.caches.allSatisfy { $0.status.isUsable && $0.status.consecutiveFailures > 0 })
        // Past the first minutes every cache retries about once per 60 s backoff, jittered.
        let lastMinutes = outage[(600 - 180)...]
        #expect(Double(lastMinutes.reduce(0, +)) <= 180 * n / 30, "at most N per 30 s once backed off")

        // The endpoint comes back: the caches recover at their own next retries, not in one burst.
        server.isAvailable = true
        var recovery: [Int] = []
        for _ in 0..<100 { recovery.append(try await fleet.advance(by: .seconds(1))) }
        #expect(fleet.caches.allSatisfy { $0.status.consecutiveFailures == 0 }, "every cache recovered in 100 s")
        #expect(recovery.max()! <= Self.instances / 15, "recovery peak \(recovery.max()!)/s: \(recovery)")
        #expect(recovery.reduce(0, +) <= Self.instances + Self.instances / 10)

        await fleet.stop()
        await server.shutdown()
    }
}
