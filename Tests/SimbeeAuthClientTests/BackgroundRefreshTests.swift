import Foundation
import Logging
import ServiceLifecycle
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeAuthClient

/// The provider as a `Service`: it exchanges at start, then ahead of the margin with jitter, so
/// that callers never wait.
@Suite struct BackgroundRefreshTests {
    /// Advances the clock in steps of `step` until `done`, letting the service settle (asleep on
    /// the clock again) after each; returns the time advanced.
    static func advance(
        _ harness: ProviderHarness,
        by step: Duration,
        upTo limit: Duration,
        until done: () -> Bool
    ) async throws -> Duration {
        var elapsed = Duration.zero
        while !done() && elapsed < limit {
            harness.clock.advance(by: step)
            elapsed += step
            try await waitUntil { harness.clock.sleeperCount == 1 }
        }
        return elapsed
    }

    @Test func refreshesBetween80And95PercentOfTheWayToTheMargin() async throws {
        let harness = try await ProviderHarness.make()
        let service = Task { try await harness.provider.run() }
        try await waitUntil { harness.server.exchangeCount == 1 && harness.clock.sleeperCount == 1 }
        let first = try await harness.provider.token()
        #expect(harness.server.exchangeCount == 1)

        // The margin falls 869–870 s after the exchange; the refresh at 80–95 % of that.
        let elapsed = try await Self.advance(harness, by: .seconds(5), upTo: .seconds(900)) {
            harness.server.exchangeCount == 2
        }
        #expect(elapsed >= .seconds(695) && elapsed <= .seconds(830), "refreshed after \(elapsed)")
        let second = try await harness.provider.token()
        #expect(second != first)
        #expect(harness.server.exchangeCount == 2)

        service.cancel()
        try await service.value
        await harness.server.shutdown()
    }

    @Test func retriesWithBackoffWhileTheTokenServes() async throws {
        let harness = try await ProviderHarness.make { $0.initialBackoff = .seconds(1) }
        let service = Task { try await harness.provider.run() }
        try await waitUntil { harness.server.exchangeCount == 1 && harness.clock.sleeperCount == 1 }
        let first = try await harness.provider.token()
        harness.server.isExchangeAvailable = false
        _ = try await Self.advance(harness, by: .seconds(5), upTo: .seconds(900)) {
            harness.server.exchangeCount == 2
        }
        // The exchange failed; the token still serves, and the service retries on its own.
        #expect(try await harness.provider.token() == first)
        harness.server.isExchangeAvailable = true
        _ = try await Self.advance(harness, by: .seconds(1), upTo: .seconds(10)) {
            harness.server.exchangeCount == 3
        }
        #expect(harness.server.exchangeCount == 3)
        #expect(try await harness.provider.token() != first)
        service.cancel()
        try await service.value
        await harness.server.shutdown()
    }

    @Test func anInvalidatedTokenIsReplacedAtOnce() async throws {
        let harness = try await ProviderHarness.make()
        let service = Task { try await harness.provider.run() }
        try await waitUntil { harness.server.exchangeCount == 1 && harness.clock.sleeperCount == 1 }
        let first = try await harness.provider.token()
        harness.provider.invalidate(first)
        // No clock movement: the invalidation itself wakes the service.
        try await waitUntil { harness.server.exchangeCount == 2 }
        #expect(try await harness.provider.token() != first)
        #expect(harness.server.exchangeCount == 2)
        service.cancel()
        try await service.value
        await harness.server.shutdown()
    }

    @Test func endsOnGracefulShutdown() async throws {
        let harness = try await ProviderHarness.make()
        let group = ServiceGroup(
            configuration: .init(services: [harness.provider], logger: Logger(label: "test"))
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitUntil { harness.server.exchangeCount == 1 && harness.clock.sleeperCount == 1 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // Callers still get tokens after the service has stopped.
        _ = try await harness.provider.token()
        await harness.server.shutdown()
    }

    @Test func aRevokedKeyKeepsTheServiceBackingOffNotSpinning() async throws {
        let harness = try await ProviderHarness.make { $0.initialBackoff = .seconds(1) }
        harness.server.revokeAPIKey(ProviderHarness.apiKey)
        let service = Task { try await harness.provider.run() }
        try await waitUntil { harness.server.exchangeCount == 1 && harness.clock.sleeperCount == 1 }
        // Backoff 1, 2, 4, 8 s (× 0.5…1.5): at most 5 attempts in 10 s.
        _ = try await Self.advance(harness, by: .milliseconds(500), upTo: .seconds(10)) { false }
        #expect(harness.server.exchangeCount >= 3 && harness.server.exchangeCount <= 5)
        #expect(harness.logs.count(containing: "refused the API key", level: .error) == harness.server.exchangeCount)
        service.cancel()
        try await service.value
        await harness.server.shutdown()
    }
}
