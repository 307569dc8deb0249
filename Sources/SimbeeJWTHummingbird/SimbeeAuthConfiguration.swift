public import Logging
import SimbeeJWT

/// How ``SimbeeAuthenticator`` and everything behind it answer refused requests and log the
/// reasons.
///
/// Pass it once, to the authenticator. ``RequireScopes``,
/// ``HummingbirdAuth/AuthRequestContext/requireSimbeeIdentity(scopes:)`` and ``BearerRefusal``'s
/// factories read the configuration of the authenticator in front of the route, so every
/// `WWW-Authenticate` challenge of a request names the same realm:
///
/// ```swift
/// let auth = SimbeeAuthConfiguration(realm: "orders")
/// router.add(middleware: try SimbeeAuthenticator(verifier: verifier, configuration: auth))
/// router.group("orders")
///     .add(middleware: RequireScopes(.all(["orders:read"])))  // challenges name realm "orders"
/// ```
public struct SimbeeAuthConfiguration: Sendable {
    /// The `realm` of every `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). `"simbee"` by default.
    /// A realm with a control character (a line break, a tab, DEL) makes ``SimbeeAuthenticator``'s
    /// initializer throw `JWTError` with the code `invalid_configuration`.
    public var realm: String
    /// The `Retry-After` of a `503` answered while the key set is unavailable, rounded up to whole
    /// seconds; `nil` sends none. 10 seconds by default; 0 … 1 day, or ``SimbeeAuthenticator``'s
    /// initializer throws `JWTError` with the code `invalid_configuration`.
    public var retryAfter: Duration?
    /// The level at which refused credentials and missing scopes are logged, with their reason
    /// code, at the request's logger. `.info` by default.
    public var rejectionLogLevel: Logger.Level
    /// The level at which a key-set outage (answered `503`) is logged. `.error` by default.
    public var outageLogLevel: Logger.Level

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - realm: The challenge realm.
    ///   - retryAfter: The `Retry-After` of a `503`, or `nil` for none: 0 … 1 day.
    ///   - rejectionLogLevel: The log level of refusals.
    ///   - outageLogLevel: The log level of key-set outages.
    public init(
        realm: String = "simbee",
        retryAfter: Duration? = .seconds(10),
        rejectionLogLevel: Logger.Level = .info,
        outageLogLevel: Logger.Level = .error
    ) {
        self.realm = realm
        self.retryAfter = retryAfter
        self.rejectionLogLevel = rejectionLogLevel
        self.outageLogLevel = outageLogLevel
    }

    /// The longest `Retry-After` accepted: one day.
    static let maximumRetryAfter: Duration = .seconds(86_400)

    /// Throws when a value is out of range or the realm cannot stand in a header as it is.
    func validate() throws(JWTError) {
        if realm.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw JWTError(.invalidConfiguration, "realm must not contain control characters")
        }
        if let retryAfter, retryAfter < .zero || retryAfter > Self.maximumRetryAfter {
            throw JWTError(.invalidConfiguration, "retryAfter must be between 0 and 86400 seconds")
        }
    }
}
