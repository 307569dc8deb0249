/// The monotonic time a ``RemoteJWKS`` (and the token client) measures TTLs, cooldowns and backoff with: any `Clock`
/// whose durations are `Duration`, reduced to "time since creation" so that the cache need not be
/// generic. Tests inject a manual clock so they never sleep for real.
package struct MonotonicTime: Sendable {
    /// Time elapsed since this value was created.
    package let now: @Sendable () -> Duration
    /// Suspends for `duration` on the clock.
    package let sleep: @Sendable (Duration) async throws -> Void

    package init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
    }
}
