#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What a token's claims (and header `typ`) must satisfy once its signature holds.
///
/// The defaults are the safe ones: `exp` is required, time claims get 60 seconds of leeway, and
/// every time claim that is present must be a valid NumericDate. Issuer and audience are checked
/// when configured: configure both for Simbee tokens (``JWTVerifier/Configuration/simbee(clientID:)``
/// does).
///
/// ```swift
/// var policy = ClaimsPolicy(issuer: "https://api.simbee.io", audiences: ["cl_123"])
/// policy.requiredClaims = ["sub"]
/// ```
public struct ClaimsPolicy: Sendable {
    /// The exact `iss` required, or `nil` not to check it. An empty string is an invalid configuration.
    public var issuer: String?
    /// Audiences this service answers to: the token's `aud` (a string or an array of strings) must
    /// contain at least one of them, compared exactly. Empty means `aud` is not checked.
    public var audiences: [String]
    /// Whether a token without `exp` is refused. Default `true`.
    public var requiresExpiration: Bool
    /// Clock skew tolerated for `exp` and `nbf`, between 0 and 300 seconds. Default 60 seconds.
    public var leeway: Duration {
        didSet { leewaySeconds = Self.seconds(leeway) }
    }
    /// ``leeway`` in seconds, kept beside it: every verification and every token-cache hit needs it,
    /// and converting a `Duration` each time ran about 190 instructions of 128-bit arithmetic
    /// (16 lines of code to fetch into the instruction cache per verification).
    private(set) var leewaySeconds: Double
    /// Claims that must be present. `sub`, `iss` and `jti` must then also be non-empty strings, and
    /// any other required claim must not be `null` or an empty string.
    public var requiredClaims: [String]
    /// Accepted header `typ` values (RFC 8725 §3.11), compared case-insensitively with the
    /// `application/` prefix optional. Empty means `typ` is not checked; otherwise it is required.
    public var acceptedTypes: [String]

    /// The wall clock `exp`, `nbf` and leeway are measured against. Defaults to the system clock.
    ///
    /// - Warning: For tests and replaying fixed inputs only. A pinned clock accepts expired tokens
    ///   forever.
    @_spi(Testing) public var clock: @Sendable () -> Date

    /// A policy; every parameter has the safe default.
    ///
    /// - Parameters:
    ///   - issuer: The exact `iss` required, or `nil`.
    ///   - audiences: Accepted audiences; empty skips the `aud` check.
    ///   - requiresExpiration: Whether `exp` must be present.
    ///   - leeway: Tolerated clock skew, 0…300 seconds.
    ///   - requiredClaims: Claims that must be present.
    ///   - acceptedTypes: Accepted header `typ` values; empty skips the check.
    public init(
        issuer: String? = nil,
        audiences: [String] = [],
        requiresExpiration: Bool = true,
        leeway: Duration = .seconds(60),
        requiredClaims: [String] = [],
        acceptedTypes: [String] = []
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.requiresExpiration = requiresExpiration
        self.leeway = leeway
        self.leewaySeconds = Self.seconds(leeway)
        self.requiredClaims = requiredClaims
        self.acceptedTypes = acceptedTypes
        self.clock = { Date() }
    }

    /// The largest leeway accepted.
    static let maximumLeeway: Duration = .seconds(300)

    /// Throws when a value is out of range.
    func validate() throws(JWTError) {
        guard leeway >= .zero, leeway <= Self.maximumLeeway else {
            throw JWTError(.invalidConfiguration, "leeway must be between 0 and 300 seconds")
        }
        if let issuer, issuer.isEmpty {
            throw JWTError(.invalidConfiguration, "issuer must not be empty; use nil not to check iss")
        }
        guard !audiences.contains(where: \.isEmpty) else {
            throw JWTError(.invalidConfiguration, "audiences must not contain an empty string")
        }
        guard !requiredClaims.contains(where: \.isEmpty) else {
            throw JWTError(.invalidConfiguration, "required claim names must not be empty")
        }
        guard !acceptedTypes.contains(where: \.isEmpty) else {
            throw JWTError(.invalidConfiguration, "accepted types must not contain an empty string")
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
