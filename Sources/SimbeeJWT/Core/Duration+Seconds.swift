extension Duration {
    /// The largest magnitude, in seconds, that converts between `Duration`, `Double` and whole
    /// seconds without trapping: `Duration.components` traps once the whole seconds leave `Int64`,
    /// and `Duration.seconds(_: Double)` once the attoseconds leave `Int128`.
    package static let largestConvertibleSeconds: Double = 9.0e18

    /// The duration in seconds, as a `Double`; `±infinity` beyond ``largestConvertibleSeconds``.
    ///
    /// Never traps, whatever the duration: configuration code compares durations first and converts
    /// only values it has accepted, but a conversion that runs on an unchecked value must not crash
    /// the process either.
    package var inSeconds: Double {
        guard self <= .seconds(Int64.max) else { return .infinity }
        guard self >= .seconds(Int64.min) else { return -.infinity }
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration of `seconds`, or `nil` when `seconds` is NaN, infinite or beyond
    /// ``largestConvertibleSeconds`` in magnitude (where `Duration.seconds(_:)` would trap).
    ///
    /// - Parameter seconds: Any `Double`.
    package init?(checkedSeconds seconds: Double) {
        guard seconds.isFinite, seconds.magnitude <= Self.largestConvertibleSeconds else { return nil }
        self = .seconds(seconds)
    }

    /// Why a connect and a request timeout cannot bound an HTTP exchange (each must be more than 0,
    /// and at most 60 and 120 seconds), or `nil` when they can. The JWK Set cache and the token
    /// client apply the same bounds.
    package static func httpTimeoutProblem(connect: Duration, request: Duration) -> String? {
        if !(connect > .zero && connect <= .seconds(60)) {
            return "connect timeout must be more than 0 and at most 60 s"
        }
        if !isAcceptableRequestTimeout(request) {
            return "request timeout must be more than 0 and at most 120 s"
        }
        return nil
    }

    /// Whether `request` can bound a whole HTTP exchange: more than 0, at most 120 seconds.
    package static func isAcceptableRequestTimeout(_ request: Duration) -> Bool {
        request > .zero && request <= .seconds(120)
    }
}
