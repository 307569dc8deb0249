extension RemoteJWKS {
    /// Every number that governs a ``RemoteJWKS``, with the defaults a Simbee verifier wants.
    ///
    /// Each value has an accepted range; ``RemoteJWKS``'s initializers throw
    /// ``JWTError/Code/invalidConfiguration`` for a value outside it.
    ///
    /// ```swift
    /// var configuration = RemoteJWKS.Configuration()
    /// configuration.unknownKeyCooldown = .seconds(60)
    /// let keys = try RemoteJWKS(issuer: "https://api.simbee.io", configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// Freshness when the response has no `Cache-Control: max-age` or `Expires`. Default 10 minutes;
        /// between ``minimumTTL`` and ``maximumTTL``.
        public var defaultTTL: Duration = .seconds(600)
        /// The shortest freshness accepted from caching headers (`no-cache` and `no-store` get this).
        /// Default 5 minutes; more than zero and at most ``maximumTTL``.
        public var minimumTTL: Duration = .seconds(300)
        /// The longest freshness accepted from caching headers. Default 24 hours; at most 30 days.
        public var maximumTTL: Duration = .hours(24)
        /// The part of the freshness lifetime after which a background refresh starts, drawn at
        /// random from this range for each fetched set, so that the instances of a fleet refresh at
        /// different times. Default 0.6 … 0.85; within 0.1 … 0.95.
        public var refreshAheadWindow: ClosedRange<Double> = 0.6...0.85
        /// The longest random delay before the first load of ``RemoteJWKS/run()``, so that a fleet
        /// started at once does not fetch at once. A lookup that needs the set sooner fetches it at
        /// once all the same. Default 1 second; 0 … 60 seconds.
        public var startupJitter: Duration = .seconds(1)
        /// The least time between two refreshes caused by unknown `kid`s, measured from the last
        /// attempt of any kind. Inside it an unknown `kid` fails at once, unless a fetch is in flight
        /// (it joins that one) or it earns the one follow-up fetch per cooldown that a lookup joining
        /// a fetch already under way may get (see <doc:JWKSCaching>). Default 30 seconds; 0 … 1 hour.
        public var unknownKeyCooldown: Duration = .seconds(30)
        /// How long past its expiry the last good set keeps serving while refreshes fail. Default 24
        /// hours; 0 … 7 days.
        public var maximumStaleness: Duration = .hours(24)
        /// The first retry delay after a failed refresh, doubling per failure, each delay multiplied by
        /// a random factor of 0.5 … 1.5 so that instances that failed together retry apart. Default 1
        /// second; more than zero and at most ``maximumBackoff``.
        public var initialBackoff: Duration = .seconds(1)
        /// The longest retry delay. Default 60 seconds; at most 1 hour. The backoff paces retries
        /// after failures; a refresh for an unknown `kid` follows ``unknownKeyCooldown`` instead.
        public var maximumBackoff: Duration = .seconds(60)
        /// The longest time to spend connecting. Default 2 seconds; more than zero and at most 60 seconds.
        public var connectTimeout: Duration = .seconds(2)
        /// The longest time a whole request may take, body included. Default 5 seconds; more than zero
        /// and at most 120 seconds. Enforced by the cache even when a custom ``JWKSFetcher`` ignores it.
        public var requestTimeout: Duration = .seconds(5)
        /// The largest response body accepted. Default 256 KiB; 64 B … 16 MiB.
        public var maxBodyBytes: Int = 256 * 1024
        /// The most entries the set's `keys` array may hold, usable or not. Default 256; 1 … 10,000.
        public var maxKeys: Int = 256
        /// Whether plain `http` is accepted for hosts other than loopback (`localhost`, `::1` and
        /// 127.0.0.0/8). Default `false`.
        ///
        /// - Warning: Keys fetched over plain HTTP can be replaced by anyone on the network path.
        public var allowsInsecureHTTP: Bool = false
        /// The `User-Agent` sent with every fetch, so the endpoint's operator can tell this cache
        /// from other clients. Default `SimbeeJWT/0.1.0`; an empty string sends none. No control
        /// character but tab.
        public var userAgent: String = "SimbeeJWT/0.1.0"
        /// Further fields sent with every fetch, in order, such as an API key the endpoint requires or
        /// a label that tells one fleet from another. Default none.
        ///
        /// Names must be RFC 9110 tokens; values may hold no CR, LF, NUL or other control character
        /// but tab, so a value cannot inject fields of its own. The fields the fetcher sets or that
        /// frame the message (`Accept`, `If-None-Match`, `Host`, `Content-Length`,
        /// `Transfer-Encoding`, `Connection` and the other hop-by-hop fields, `Accept-Encoding`) are
        /// refused, and so is `User-Agent`: set ``userAgent`` instead.
        ///
        /// ```swift
        /// var configuration = RemoteJWKS.Configuration()
        /// configuration.additionalHeaders = [.init(name: "X-Client-Fleet", value: "checkout-eu")]
        /// ```
        public var additionalHeaders: [JWKSFetchRequest.Header] = []

        /// The defaults: the values a Simbee verifier wants.
        public init() {}

        func validate() throws(JWTError) {
            func require(_ condition: Bool, _ message: String) throws(JWTError) {
                if !condition { throw JWTError(.invalidConfiguration, message) }
            }
            try require(minimumTTL > .zero && minimumTTL <= maximumTTL, "TTL bounds must satisfy 0 < minimum ≤ maximum")
            try require(
                defaultTTL >= minimumTTL && defaultTTL <= maximumTTL,
                "default TTL must lie between the minimum and maximum"
            )
            try require(maximumTTL <= .hours(24 * 30), "maximum TTL must be at most 30 days")
            try require(
                refreshAheadWindow.lowerBound >= 0.1 && refreshAheadWindow.upperBound <= 0.95,
                "refresh-ahead window must lie within 0.1…0.95"
            )
            try require(startupJitter >= .zero && startupJitter <= .seconds(60), "startup jitter must be 0…60 s")
            try require(unknownKeyCooldown >= .zero && unknownKeyCooldown <= .hours(1), "cooldown must be 0…1 hour")
            try require(maximumStaleness >= .zero && maximumStaleness <= .hours(24 * 7), "staleness must be 0…7 days")
            try require(
                initialBackoff > .zero && initialBackoff <= maximumBackoff && maximumBackoff <= .hours(1),
                "backoff must satisfy 0 < initial ≤ maximum ≤ 1 hour"
            )
            if let problem = Duration.httpTimeoutProblem(connect: connectTimeout, request: requestTimeout) {
                throw JWTError(.invalidConfiguration, problem)
            }
            try require(maxBodyBytes >= 64 && maxBodyBytes <= 16 << 20, "body limit must be 64 B…16 MiB")
            try require(maxKeys >= 1 && maxKeys <= 10_000, "key limit must be 1…10000")
            try require(
                !additionalHeaders.contains { $0.name.asciiLowercased == "user-agent" },
                "set userAgent instead of a User-Agent additional header"
            )
            for header in requestHeaders { try header.validate() }
        }

        /// The fields every fetch sends besides `Accept` and `If-None-Match`: ``userAgent`` (when
        /// not empty), then ``additionalHeaders``.
        var requestHeaders: [JWKSFetchRequest.Header] {
            let agent = userAgent.isEmpty ? [] : [JWKSFetchRequest.Header(name: "User-Agent", value: userAgent)]
            return agent + additionalHeaders
        }
    }
}

extension Duration {
    fileprivate static func hours(_ hours: Int64) -> Duration { .seconds(hours * 3_600) }
}
