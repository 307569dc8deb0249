/// Fetches a JWK Set document over HTTP for ``RemoteJWKS``.
///
/// ``HTTPJWKSFetcher`` (async-http-client) is the default. Conform your own type to use another HTTP
/// client; ``RemoteJWKS`` applies its own limits on top (status, body size, timeout, key count), so
/// a fetcher only has to honour the request's limits as well as it can.
///
/// A fetcher sends every field of ``JWKSFetchRequest/headers``, and reports the caching headers the
/// way ``JWKSFetchResponse`` documents them: every `Cache-Control` line, and the `Age`, because a
/// directive on a second line or the time a response spent in a CDN changes how long keys stay fresh.
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
    /// Fields to send besides `Accept` and `If-None-Match`, in order: the `User-Agent` and the
    /// additional headers of ``RemoteJWKS/Configuration``. A repeated name is sent as repeated lines.
    public var headers: [Header]

    /// A request; every field is public so custom fetchers and tests can build one.
    ///
    /// - Parameters:
    ///   - url: The absolute URL to GET.
    ///   - entityTag: The held snapshot's `ETag`, sent as `If-None-Match`, or `nil`.
    ///   - connectTimeout: The longest time to spend connecting.
    ///   - timeout: The longest time the whole request may take.
    ///   - maxBodyBytes: The largest body to accept.
    ///   - headers: Further fields to send. Default none.
    public init(
        url: String,
        entityTag: String?,
        connectTimeout: Duration,
        timeout: Duration,
        maxBodyBytes: Int,
        headers: [Header] = []
    ) {
        self.url = url
        self.entityTag = entityTag
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.headers = headers
    }
}

extension JWKSFetchRequest {
    /// One request header field: a name and a value.
    ///
    /// A field is checked before it is sent (by ``RemoteJWKS``'s initializers for the configured
    /// ones, by ``HTTPJWKSFetcher`` for every request): the name must be an RFC 9110 token, the value
    /// may hold no control character but horizontal tab (a CR or LF would end the field and let the
    /// value inject fields of its own), and the fields the fetcher sets itself or that frame the
    /// message (`Accept`, `If-None-Match`, `Host`, `Content-Length`, `Transfer-Encoding`,
    /// `Connection` and the other hop-by-hop fields, `Accept-Encoding`) cannot be set.
    ///
    /// ```swift
    /// var configuration = RemoteJWKS.Configuration()
    /// configuration.additionalHeaders = [.init(name: "X-Client-Fleet", value: "checkout-eu")]
    /// ```
    public struct Header: Sendable, Hashable {
        /// The field name, such as `X-Client-Fleet`; compared without regard to case.
        public var name: String
        /// The field value.
        public var value: String

        /// A header field.
        ///
        /// - Parameters:
        ///   - name: The field name: an RFC 9110 token such as `X-Client-Fleet`.
        ///   - value: The field value: no CR, LF, NUL or other control character but tab.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }
}

extension JWKSFetchRequest.Header {
    /// Names the fetcher sets itself (`Accept`, `If-None-Match`), that the HTTP client derives from
    /// the URL and body (`Host`, `Content-Length`, `Transfer-Encoding`), that govern the connection
    /// rather than the request (RFC 9110 §7.6.1), or that would change the body's encoding when the
    /// fetcher reads it as JSON (`Accept-Encoding`). Lowercased.
    static let reservedNames: Set<String> = [
        "accept", "accept-encoding", "connection", "content-length", "host", "if-none-match", "keep-alive",
        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// Throws unless the field may be sent as it is. Messages name a valid field name, never a value,
    /// which may be a credential.
    func validate() throws(JWTError) {
        guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenCharacter) else {
            throw JWTError(.invalidConfiguration, "a request header name is not an RFC 9110 token")
        }
        guard !Self.reservedNames.contains(name.asciiLowercased) else {
            throw JWTError(
                .invalidConfiguration,
                "request header \(name) is set by the fetcher and cannot be overridden"
            )
        }
        // Field values (RFC 9110 §5.5) hold visible characters, spaces, tabs and obs-text; every other
        // control character is refused, CR, LF and NUL above all.
        guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw JWTError(.invalidConfiguration, "the value of request header \(name) holds a control character")
        }
    }

    /// The symbols `tchar` allows besides letters and digits (RFC 9110 §5.6.2).
    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)

    /// `tchar`: an ASCII letter or digit, or one of ``tokenSymbols``.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return tokenSymbols.contains(byte)
        }
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
