#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What a token's claims (and header `typ`) must satisfy once its signature holds.
///
/// The defaults are the safe ones: `exp` is required, time claims get 60 seconds of leeway, every
/// time claim that is present must be a valid NumericDate, and a token that names an audience is
/// refused unless one of its audiences is yours (RFC 7519 §4.1.3). The issuer is checked when
/// configured: configure issuer and audiences for Simbee tokens
/// (``JWTVerifier/Configuration/simbee(clientID:)`` does).
///
/// ```swift
/// var policy = ClaimsPolicy(issuer: "https://api.simbee.io", audiences: ["cl_123"])
/// policy.requiredClaims = ["sub"]
/// ```
public struct ClaimsPolicy: Sendable {
    /// The exact `iss` required. `nil` leaves `iss` unchecked, except over a ``RemoteJWKS`` made
    /// from an issuer, whose ``RemoteJWKS/issuer`` is then required (see
    /// ``JWTVerifier/init(keys:configuration:metricsFactory:)``). An empty string is an invalid
    /// configuration.
    public var issuer: String?
    /// Audiences this service answers to: the token's `aud` (a string or an array of strings) must
    /// contain at least one of them, compared exactly.
    ///
    /// Empty means this service has no audience of its own: a token without `aud` is accepted, and a
    /// token with one is refused with ``JWTError/Code/audienceMismatch``, since it was issued for
    /// someone else (RFC 7519 §4.1.3, RFC 8725 §3.9). ``skipsAudienceCheck`` accepts it instead.
    public var audiences: [String]
    /// Whether `aud` is ignored altogether. Default `false`; only valid with no ``audiences``.
    ///
    /// - Warning: A token issued for another service (another audience of the same issuer) is then
    ///   accepted here. Set it only where every token of the issuer is meant for this service.
    public var skipsAudienceCheck: Bool
    /// Whether a token without `exp` is refused. Default `true`.
    public var requiresExpiration: Bool
    /// Clock skew tolerated for `exp` and `nbf`, between 0 and 300 seconds. Default 60 seconds.
    ///
    /// Any `Duration` may be stored; the verifier's initializer refuses one outside the range.
    public var leeway: Duration
    /// ``leeway`` in seconds, for a policy that passed validation.
    var leewaySeconds: Double { leeway.inSeconds }
    /// Claims that must be present. `sub`, `iss` and `jti` must then also be non-empty strings, and
    /// any other required claim must not be `null` or an empty string.
    public var requiredClaims: [String]
    /// Accepted header `typ` values (RFC 8725 §3.11), compared case-insensitively with the
    /// `application/` prefix optional. Empty means `typ` is not checked; otherwise it is required.
    /// A value that names no type (`""`, `"application/"`) is an invalid configuration.
    public var acceptedTypes: [String]
    /// Rules of your own on the claims, checked in order after everything above. Empty by default.
    public var rules: [ClaimRule] = []

    /// The wall clock `exp`, `nbf` and leeway are measured against. Defaults to the system clock.
    ///
    /// - Warning: For tests and replaying fixed inputs only. A pinned clock accepts expired tokens
    ///   forever.
    @_spi(Testing) public var clock: @Sendable () -> Date

    /// A policy; every parameter has the safe default.
    ///
    /// - Parameters:
    ///   - issuer: The exact `iss` required, or `nil`.
    ///   - audiences: Accepted audiences; empty refuses any token that has `aud`.
    ///   - skipsAudienceCheck: Whether `aud` is ignored; only with no `audiences`.
    ///   - requiresExpiration: Whether `exp` must be present.
    ///   - leeway: Tolerated clock skew, 0…300 seconds.
    ///   - requiredClaims: Claims that must be present.
    ///   - acceptedTypes: Accepted header `typ` values; empty skips the check.
    public init(
        issuer: String? = nil,
        audiences: [String] = [],
        skipsAudienceCheck: Bool = false,
        requiresExpiration: Bool = true,
        leeway: Duration = .seconds(60),
        requiredClaims: [String] = [],
        acceptedTypes: [String] = []
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.skipsAudienceCheck = skipsAudienceCheck
        self.requiresExpiration = requiresExpiration
        self.leeway = leeway
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
        guard !(skipsAudienceCheck && !audiences.isEmpty) else {
            throw JWTError(.invalidConfiguration, "skipsAudienceCheck contradicts the configured audiences")
        }
        guard !requiredClaims.contains(where: \.isEmpty) else {
            throw JWTError(.invalidConfiguration, "required claim names must not be empty")
        }
        // "application/" alone would match a typ of "" (the prefix is optional when comparing).
        guard !acceptedTypes.contains(where: { MediaType.normalized($0).isEmpty }) else {
            throw JWTError(.invalidConfiguration, "accepted types must each name a type")
        }
        guard !rules.contains(where: \.claim.isEmpty) else {
            throw JWTError(.invalidConfiguration, "claim rules must name a claim")
        }
    }
}
