import CoreMetrics

/// `simbee_jwt_verifications_total{result}`: one counter per outcome of ``JWTVerifier/verify(_:)``,
/// `result` being `ok` or the ``JWTError/Code/name`` of the refusal. The counters are made once, so
/// a verification only increments one.
struct VerificationMetrics: Sendable {
    private let succeeded: Counter
    private let refused: [JWTError.Code.Backing: Counter]

    init(factory: any MetricsFactory) {
        func counter(_ result: String) -> Counter {
            Counter(label: "simbee_jwt_verifications_total", dimensions: [("result", result)], factory: factory)
        }
        succeeded = counter("ok")
        refused = Dictionary(
            uniqueKeysWithValues: JWTError.Code.Backing.allCases.map { ($0, counter($0.rawValue)) }
        )
    }

    func recordSuccess() {
        succeeded.increment()
    }

    func recordRefusal(_ code: JWTError.Code) {
        refused[code.backing]?.increment()
    }
}
