import BenchSupport
import Benchmark
import SimbeeAuthClient

/// `SimbeeTokenProvider.token()` with a fresh token in its cache: what every request to Simbee's
/// API pays. The cache is filled in setup, by one real exchange with a loopback
/// `SimbeeTestJWKSServer`; the measured calls make no I/O.
///
/// Both rows count mallocs, the two-task one too: the fast path must not allocate whichever task
/// calls it, and when it does not, the two tasks have no allocation to contend on. A call takes
/// tens of nanoseconds, so a sample is 1,000 calls (not `Bench.batch`), which spreads the
/// harness's own allocations per sample (about 20) and the two-task row's task group over many
/// calls. The tolerances are those of the other short samples: one allocation more per call adds
/// 1,000 to a sample. No CPU time: the process CPU clock advances in 10 ms ticks here, a hundred
/// times a sample's length, so it reads 0 or 10 ms.
func tokenProviderBenchmarks() {
    let batch = 1_000
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 5,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 2_000,
        thresholds: Thresholds.shortSamples
    )

    Benchmark("token() fresh cached token, 1 task", configuration: configuration) {
        (benchmark: Benchmark, cached: Bench.CachedTokenProvider) in
        for _ in benchmark.scaledIterations {
            for _ in 0..<batch { blackHole(try? await cached.provider.token()) }
        }
    } setup: {
        try await Bench.cachedTokenProvider()
    }
    Benchmark("token() fresh cached token, 2 tasks", configuration: configuration) {
        (benchmark: Benchmark, cached: Bench.CachedTokenProvider) in
        for _ in benchmark.scaledIterations {
            await twoTasks(batch) { blackHole(try? await cached.provider.token()) }
        }
    } setup: {
        try await Bench.cachedTokenProvider()
    }
}
