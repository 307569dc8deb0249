import CoreMetrics
import Metrics

/// The swift-metrics instruments of one ``SimbeeTokenProvider``, dimensioned by exchange URL.
struct TokenProviderMetrics: Sendable {
    /// Exchanges that brought a token (`simbee_auth_exchanges_total{result="success"}`).
    let successes: Counter
    /// Exchanges whose key was refused (`result="refused"`).
    let refusals: Counter
    /// Exchanges that failed otherwise (`result="failure"`).
    let failures: Counter
    /// Time per exchange, whatever its outcome (`simbee_auth_exchange_duration_seconds`).
    let duration: Metrics.Timer
    /// The life left in the cached token, in seconds, 0 when there is none
    /// (`simbee_auth_token_remaining_seconds`).
    let remainingLifetime: Gauge
    /// Tokens dropped by ``SimbeeTokenProvider/invalidate(_:)`` (`simbee_auth_invalidations_total`).
    let invalidations: Counter

    init(url: String, factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        let url = ("url", url)
        func exchanges(_ result: String) -> Counter {
            Counter(label: "simbee_auth_exchanges_total", dimensions: [url, ("result", result)], factory: factory)
        }
        successes = exchanges("success")
        refusals = exchanges("refused")
        failures = exchanges("failure")
        duration = Metrics.Timer(
            label: "simbee_auth_exchange_duration_seconds",
            dimensions: [url],
            preferredDisplayUnit: .seconds,
            factory: factory
        )
        remainingLifetime = Gauge(label: "simbee_auth_token_remaining_seconds", dimensions: [url], factory: factory)
        invalidations = Counter(label: "simbee_auth_invalidations_total", dimensions: [url], factory: factory)
    }
}
