/// Fetches a JWK Set document over HTTP for ``RemoteJWKS``.
///
/// ``HTTPJWKSFetcher`` (async-http-client) is the default. Conform your own type to use another HTTP
/// client; ``RemoteJWKS`` applies its own limits on top (status, body size, timeout, key count), so
/// a fetcher only has to honour the request's limits as well as it can.
///
/// A fetcher reports the caching headers the way ``JWKSFetchResponse`` documents them: every
/// `Cache-Control` line, and the `Age`, because a directive on a second line or the time a response
/// spent in a CDN changes how long keys stay fresh.
public protocol JWKSFetcher: Sendable {
    /// Performs one GET.
    ///
    /// - Parameter request: What to fetch and the limits to apply.
    /// - Returns: The response. Any status may be returned; ``RemoteJWKS`` interprets it.
    /// - Throws: Any error for a failed request (connection refused, timeout, body too large …).
    func fetch(_ request: JWKSFetchRequest) async throws -> JWKSFetchResponse
}

/// One JWK Set request.
public struct JWKSFetchRequest: Sendable, Hashable {
    /// The absolute URL to GET.
    public var url: String
    /// The `ETag` of the snapshot held, to send as `If-None-Match`; `nil` for an unconditional GET.
    public var entityTag: String?
    /// The longest time to spend connecting.
    public var connectTimeout: Duration
    /// The longest time the whole request, body included, may take.
    public var timeout: Duration
    /// The largest body to accept; a fetcher should stop reading past it and throw.
    public var maxBodyBytes: Int

    /// A request; every field is public so custom fetchers and tests can build one.
    ///
    /// - Parameters:
    ///   - url: The absolute URL to GET.
    ///   - entityTag: The held snapshot's `ETag`, sent as `If-None-Match`, or `nil`.
    ///   - connectTimeout: The longest time to spend connecting.
    ///   - timeout: The longest time the whole request may take.
    ///   - maxBodyBytes: The largest body to accept.
    public init(url: String, entityTag: String?, connectTimeout: Duration, timeout: Duration, maxBodyBytes: Int) {
        self.url = url
        self.entityTag = entityTag
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// The parts of an HTTP response that ``RemoteJWKS`` reads.
public struct JWKSFetchResponse: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The body (empty for `304`).
    public var body: [UInt8]
    /// Every `Cache-Control` field line, combined into one comma-separated list (RFC 9110 §5.3), or
    /// `nil` when there is none. A fetcher must keep every line: a `no-store` sent on a second line
    /// still forbids keeping the set.
    public var cacheControl: String?
    /// The `Age` field (RFC 9111 §5.1), if any: the seconds the response already spent in caches on
    /// the way, which ``RemoteJWKS`` subtracts from the lifetime the origin gave it. Repeated lines
    /// may be combined as for ``cacheControl``; only the first member is read.
    public var age: String?
    /// The `Expires` header, if any.
    public var expires: String?
    /// The `Date` header, if any (used with `Expires`).
    public var date: String?
    /// The `ETag` header, if any.
    public var entityTag: String?

    /// A response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status code.
    ///   - body: The body bytes (empty for `304`).
    ///   - cacheControl: Every `Cache-Control` line, combined into one comma-separated list, if any.
    ///   - age: The `Age` header, if any.
    ///   - expires: The `Expires` header, if any.
    ///   - date: The `Date` header, if any.
    ///   - entityTag: The `ETag` header, if any.
    public init(
        status: Int,
        body: [UInt8],
        cacheControl: String? = nil,
        age: String? = nil,
        expires: String? = nil,
        date: String? = nil,
        entityTag: String? = nil
    ) {
        self.status = status
        self.body = body
        self.cacheControl = cacheControl
        self.age = age
        self.expires = expires
        self.date = date
        self.entityTag = entityTag
    }
}

/// Why a fetch failed in ``HTTPJWKSFetcher`` or in ``RemoteJWKS``'s own checks.
public struct JWKSFetchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short description, safe to log.
    public let description: String

    /// An error with a description.
    ///
    /// - Parameter description: What went wrong, safe to log: no key material, no credentials.
    public init(_ description: String) {
        self.description = description
    }

    static let bodyTooLarge = JWKSFetchError("response body is larger than the limit")
    static let timedOut = JWKSFetchError("request timed out")
    static let redirected = JWKSFetchError("the JWKS endpoint redirected; redirects are not followed")
}
