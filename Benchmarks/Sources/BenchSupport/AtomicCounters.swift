import CoreMetrics
import Synchronization

/// A metrics backend whose counters add atomically, as a Prometheus client's do, and whose other
/// instruments do nothing: what counting each verification's outcome costs with a real backend.
public struct AtomicCounters: MetricsFactory {
    private final class Count: CounterHandler {
        private let value = Atomic<Int64>(0)

        func increment(by amount: Int64) {
            value.wrappingAdd(amount, ordering: .relaxed)
        }

        func reset() {
            value.store(0, ordering: .relaxed)
        }
    }

    /// A backend with no counters yet.
    public init() {}

    /// A counter that adds atomically.
    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Count()
    }

    /// A recorder that records nothing.
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }

    /// A timer that records nothing.
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        NOOPMetricsHandler.instance
    }

    /// Nothing to release.
    public func destroyCounter(_ handler: any CounterHandler) {}
    /// Nothing to release.
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    /// Nothing to release.
    public func destroyTimer(_ handler: any TimerHandler) {}
}
