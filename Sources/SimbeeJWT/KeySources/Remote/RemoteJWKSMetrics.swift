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
    /// Age of the snapshot when last observed, in seconds (`simbee_jwks_snapshot_age_seconds`).
    let snapshotAge: Gauge

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
    }
}
