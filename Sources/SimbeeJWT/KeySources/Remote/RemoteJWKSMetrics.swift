import CoreMetrics
import Metrics

/// The swift-metrics instruments of one ``RemoteJWKS``, dimensioned by URL.
struct RemoteJWKSMetrics: Sendable {
    /// Fetches that brought a new set (`simbee_jwks_fetches_total{result="success"}`).
    let fetchSuccesses: Counter
    /// Conditional fetches answered `304` (`result="not_modified"`).
    let fetchNotModified: Counter
    /// Failed fetches of any kind (`result="failure"`).
    let fetchFailures: Counter
    /// Time per fetch, success or not (`simbee_jwks_fetch_duration_seconds`).
    let fetchDuration: Metrics.Timer
    /// Lookups of a `kid` missing from the snapshot (`simbee_jwks_unknown_kid_total`).
    let unknownKeyIDs: Counter
    /// Unknown-`kid` lookups refused inside the cooldown (`simbee_jwks_cooldown_denials_total`).
    let cooldownDenials: Counter
    /// Lookups served from a snapshot past its freshness (`simbee_jwks_stale_serves_total`).
    let staleServes: Counter
    /// Age of the snapshot, in seconds (`simbee_jwks_snapshot_age_seconds`).
    let snapshotAge: Gauge
    /// When the set was last fetched or confirmed, in Unix seconds
    /// (`simbee_jwks_last_success_timestamp_seconds`).
    let lastSuccess: Gauge
    /// 1 while a snapshot can serve lookups, else 0 (`simbee_jwks_usable`).
    let usable: Gauge
    /// Failed attempts since the last success (`simbee_jwks_consecutive_failures`).
    let consecutiveFailures: Gauge
    /// Usable keys in the snapshot (`simbee_jwks_keys`).
    let keyCount: Gauge
    /// Lookups answered at once because too many callers already waited for the fetch
    /// (`simbee_jwks_wait_overflows_total`).
    let waitOverflows: Counter

    init(url: String, factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        let url = ("url", url)
        fetchSuccesses = Counter(
            label: "simbee_jwks_fetches_total",
            dimensions: [url, ("result", "success")],
            factory: factory
        )
        fetchNotModified = Counter(
            label: "simbee_jwks_fetches_total",
            dimensions: [url, ("result", "not_modified")],
            factory: factory
        )
        fetchFailures = Counter(
            label: "simbee_jwks_fetches_total",
            dimensions: [url, ("result", "failure")],
            factory: factory
        )
        fetchDuration = Metrics.Timer(
            label: "simbee_jwks_fetch_duration_seconds",
            dimensions: [url],
            preferredDisplayUnit: .seconds,
            factory: factory
        )
        unknownKeyIDs = Counter(label: "simbee_jwks_unknown_kid_total", dimensions: [url], factory: factory)
        cooldownDenials = Counter(label: "simbee_jwks_cooldown_denials_total", dimensions: [url], factory: factory)
        staleServes = Counter(label: "simbee_jwks_stale_serves_total", dimensions: [url], factory: factory)
        snapshotAge = Gauge(label: "simbee_jwks_snapshot_age_seconds", dimensions: [url], factory: factory)
        lastSuccess = Gauge(label: "simbee_jwks_last_success_timestamp_seconds", dimensions: [url], factory: factory)
        usable = Gauge(label: "simbee_jwks_usable", dimensions: [url], factory: factory)
        consecutiveFailures = Gauge(label: "simbee_jwks_consecutive_failures", dimensions: [url], factory: factory)
        keyCount = Gauge(label: "simbee_jwks_keys", dimensions: [url], factory: factory)
        waitOverflows = Counter(label: "simbee_jwks_wait_overflows_total", dimensions: [url], factory: factory)
    }

    /// Sets every gauge from `gauges`; a gauge with nothing to show (no snapshot, no success yet)
    /// keeps its last value.
    func record(_ gauges: RemoteJWKSStateMachine.Gauges) {
        if let unixSeconds = gauges.lastSuccessUnixSeconds { lastSuccess.record(unixSeconds) }
        usable.record(gauges.isUsable ? 1 : 0)
        consecutiveFailures.record(gauges.consecutiveFailures)
        keyCount.record(gauges.keyCount)
        if let age = gauges.snapshotAge { snapshotAge.record(age.inSeconds) }
    }
}
