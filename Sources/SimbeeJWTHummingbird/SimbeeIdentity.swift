public import SimbeeJWT

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The caller a verified Simbee token speaks for: the identity ``SimbeeAuthenticator`` puts into
/// the request context by default, and what it hands to an identity closure that maps callers to
/// your own user type.
///
/// Only the authenticator creates one, after `JWTVerifier.verify(_:)` accepted the token, so an
/// identity in the context always stands for a token whose signature and claims were checked.
/// Registered claims are mirrored here for convenience; read your own claims from ``token``:
///
/// ```swift
/// struct OrgClaims: Decodable { let org: String }
///
/// router.get("me") { _, context in
///     let identity = try context.requireSimbeeIdentity(scopes: .all(["profile"]))
///     let org = try identity.decodeClaims(as: OrgClaims.self).org
///     return "\(identity.subject) in \(org)"
/// }
/// ```
public struct SimbeeIdentity: Sendable {
    /// `sub`: for Simbee, the user id (`cu_…`). Never empty: a token without a subject is refused.
    public let subject: String
    /// The verified token, for the header, the other registered claims and custom claims
    /// (`VerifiedJWT.decodeClaims(as:decoder:)`).
    public let token: VerifiedJWT

    /// `aud`: the audiences the token was issued for (one of them matched the verifier's policy).
    public var audiences: [String] { token.claims.audience }

    /// The token's scopes, from `scope`, `scopes` and `scp`, in order and without duplicates.
    public var scopes: [String] { token.claims.scopes }

    /// Whether the token carries `scope`, compared byte for byte.
    ///
    /// - Parameter scope: A scope name such as `"read"`.
    /// - Returns: `true` when ``scopes`` contains exactly `scope`.
    public func hasScope(_ scope: String) -> Bool {
        token.claims.hasScope(scope)
    }

    /// Whether the token's scopes satisfy `requirement`.
    ///
    /// - Parameter requirement: The scopes needed, all of them or any one.
    /// - Returns: `true` when the requirement is met.
    public func satisfies(_ requirement: ScopeRequirement) -> Bool {
        requirement.isSatisfied { hasScope($0) }
    }

    /// Decodes the verified payload into your own type; a payload that does not fit refuses the
    /// request like a bad token: `401` with the `invalid_token` challenge, reason `invalid_claim`,
    /// never a `500`.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - decoder: The decoder to use.
    /// - Returns: The decoded value.
    /// - Throws: ``BearerRefusal`` (`401`) naming the claim that does not fit, in the log only.
    public func decodeClaims<Claims: Decodable>(as type: Claims.Type, decoder: JSONDecoder = JSONDecoder())
        throws(BearerRefusal) -> Claims
    {
        do {
            return try token.decodeClaims(as: type, decoder: decoder)
        } catch {
            throw BearerRefusal.invalidToken(
                reason: error.code.name,
                message: error.message,
                realm: SimbeeAuthState.configuration.realm
            )
        }
    }

    /// The identity of a verified token, or `nil` when the token has no non-empty `sub`.
    init?(verified token: VerifiedJWT) {
        guard let subject = token.claims.subject, !subject.isEmpty else { return nil }
        self.subject = subject
        self.token = token
    }
}
