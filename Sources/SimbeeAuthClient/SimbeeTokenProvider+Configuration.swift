import SimbeeJWT

extension SimbeeTokenProvider {
    /// Every number that governs a ``SimbeeTokenProvider``, with defaults for Simbee's 15-minute
    /// tokens.
    ///
    /// Each value has an accepted range; ``SimbeeTokenProvider``'s initializer throws
    /// ``SimbeeAuthError/Code/invalidConfiguration`` for a value outside it.
    ///
    /// ```swift
    /// var configuration = SimbeeTokenProvider.Configuration()
    /// configuration.requestTimeout = .seconds(5)
    /// let provider = try SimbeeTokenProvider(apiKey: key, configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// Where Simbee's API lives; the exchange is `POST <baseURL>/auth/exchange`. Default
        /// `https://api.simbee.io`. Must be `https`; plain `http` only for a loopback host
        /// (`localhost`, `::1`, 127.0.0.0/8), as in tests. No credentials, query or fragment.
        public var baseURL: String = "https://api.simbee.io"
        /// How much of a token's life must remain for ``SimbeeTokenProvider/token()`` to return it
        /// without an exchange. Default 30 seconds; 0 … 1 hour. For a token whose whole lifetime is
        /// less than twice the margin, half its lifetime counts instead, so that a short-lived token
        /// is not exchanged again on every call.
        public var refreshMargin: Duration = .seconds(30)
        /// When the background service (``SimbeeTokenProvider/run()``) exchanges ahead of the margin:
        /// at a random part, drawn from this range for each token, of the time from the exchange to
        /// the margin, so that instances started together do not exchange together. Default
        /// 0.8 … 0.95 (for a 15-minute token: between 11.6 and 13.8 minutes after the exchange);
        /// within 0.1 … 1.
        public var backgroundRefreshWindow: ClosedRange<Double> = 0.8...0.95
        /// The longest time to spend connecting. Default 2 seconds; more than zero and at most 60 seconds.
        public var connectTimeout: Duration = .seconds(2)
        /// The longest time one exchange may take, from sending the request to the last byte of
        /// the answer. Default 10 seconds; more than zero and at most 120 seconds.
        public var requestTimeout: Duration = .seconds(10)
        /// The most exchange attempts one call of ``SimbeeTokenProvider/token()`` makes or waits for
        /// (joining an exchange under way counts as one). Default 3; 1 … 10.
        public var maximumAttempts: Int = 3
        /// The delay after the first failed exchange, doubling per consecutive failure up to
        /// ``maximumBackoff``, each delay multiplied by a random factor of 0.5 … 1.5. Default 0.5
        /// seconds; more than zero and at most ``maximumBackoff``.
        public var initialBackoff: Duration = .milliseconds(500)
        /// The longest delay between two exchange attempts, and the longest a call of
        /// ``SimbeeTokenProvider/token()`` waits for a `Retry-After` before failing with
        /// ``SimbeeAuthError/Code/rateLimited``. Default 30 seconds; at most 1 hour.
        public var maximumBackoff: Duration = .seconds(30)
        /// The largest `expires_in` accepted. Default 24 hours; 1 second … 7 days. An answer above it
        /// is an error, never a token cached for that long.
        public var maximumTokenLifetime: Duration = .seconds(24 * 3_600)
        /// The `User-Agent` sent with every exchange. Default `SimbeeAuthClient/0.1.0`; an empty
        /// string sends none. Printable ASCII and tab only.
        public var userAgent: String = "SimbeeAuthClient/0.1.0"

        /// The defaults.
        public init() {}

        /// The longest `Retry-After` the background service waits out; a longer one counts as this.
        static let longestRetryAfter: Duration = .seconds(3_600)

        /// `<baseURL>/auth/exchange`, once ``validate()`` has accepted the base URL.
        var exchangeURL: String {
            (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/auth/exchange"
        }

        func validate() throws(SimbeeAuthError) {
            func require(_ condition: Bool, _ message: String) throws(SimbeeAuthError) {
                if !condition { throw SimbeeAuthError(.invalidConfiguration, message) }
            }
            try Self.validate(baseURL: baseURL)
            try require(refreshMargin >= .zero && refreshMargin <= .seconds(3_600), "refresh margin must be 0…1 hour")
            try require(
                backgroundRefreshWindow.lowerBound >= 0.1 && backgroundRefreshWindow.upperBound <= 1,
                "background refresh window must lie within 0.1…1"
            )
            if let problem = Duration.httpTimeoutProblem(connect: connectTimeout, request: requestTimeout) {
                throw SimbeeAuthError(.invalidConfiguration, problem)
            }
            try require((1...10).contains(maximumAttempts), "maximum attempts must be 1…10")
            try require(
                initialBackoff > .zero && initialBackoff <= maximumBackoff && maximumBackoff <= .seconds(3_600),
                "backoff must satisfy 0 < initial ≤ maximum ≤ 1 hour"
            )
            try require(
                maximumTokenLifetime >= .seconds(1) && maximumTokenLifetime <= .seconds(7 * 86_400),
                "maximum token lifetime must be 1 s…7 days"
            )
            try require(
                userAgent.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 < 0x7F) },
                "user agent must be printable ASCII"
            )
        }

        /// Accepts an absolute `https` URL, or `http` for a loopback host, without credentials,
        /// query or fragment: the package's one URL check.
        private static func validate(baseURL: String) throws(SimbeeAuthError) {
            do {
                try JWKSURLPolicy.validate(
                    baseURL,
                    naming: "base URL",
                    allowsInsecureHTTP: false,
                    allowsQueryAndFragment: false
                )
            } catch {
                throw SimbeeAuthError(.invalidConfiguration, error.message)
            }
        }
    }
}
