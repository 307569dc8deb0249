#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Applies a ``ClaimsPolicy`` to a verified payload.
enum ClaimsValidation {
    /// Claims that, when required, must be non-empty strings.
    private static let stringClaims: Set<String> = ["iss", "sub", "jti"]

    /// Checks a payload against `policy`: strict JSON whose top-level value is an object, then its claims.
    ///
    /// - Returns: The registered claims.
    /// - Throws: ``JWTError`` with the first rule the payload breaks.
    static func validate(_ payload: UnsafeBufferPointer<UInt8>, header: JOSEHeader, policy: ClaimsPolicy)
        throws(JWTError) -> RegisteredClaims
    {
        let members = try ClaimsMembers(validating: payload)
        var match = RegisteredClaims.PolicyMatch()
        let claims = try RegisteredClaims(members, sharing: policy, match: &match)
        try checkTime(claims, policy: policy)

        if policy.issuer != nil {
            guard claims.issuer != nil else { throw JWTError(.missingClaim, "token has no iss") }
            guard match.issuer else { throw JWTError(.issuerMismatch, "iss is not the expected issuer") }
        }
        if !policy.audiences.isEmpty {
            guard !claims.audience.isEmpty else { throw JWTError(.missingClaim, "token has no aud") }
            guard match.audience else {
                throw JWTError(.audienceMismatch, "aud does not contain an accepted audience")
            }
        } else if !claims.audience.isEmpty, !policy.skipsAudienceCheck {
            // RFC 7519 §4.1.3: a recipient that does not identify itself with a value of a present
            // `aud` must reject the token.
            throw JWTError(.audienceMismatch, "token has aud, but this verifier accepts no audience")
        }

        for (name, key) in zip(policy.requiredClaims, policy.requiredClaimKeys) {
            guard let value = members.value(named: name, key: key) else {
                throw JWTError(.missingClaim, "token has no \(DiagnosticText.printable(name))")
            }
            switch value.kind {
            case .null:
                throw JWTError(.invalidClaim, "\(DiagnosticText.printable(name)) is null")
            case .string where value.text.count == 2:  // ""
                throw JWTError(.invalidClaim, "\(DiagnosticText.printable(name)) is empty")
            case .string:
                break
            default:
                if stringClaims.contains(name) {
                    throw JWTError(.invalidClaim, "\(name) is not a string")
                }
            }
        }

        if !policy.acceptedTypes.isEmpty {
            guard let type = header.type else { throw JWTError(.missingClaim, "header has no typ") }
            guard policy.acceptedTypes.contains(where: { MediaType.matches(type, $0) }) else {
                throw JWTError(.invalidClaim, "header typ is not an accepted type")
            }
        }
        return claims
    }

    /// `exp` (required unless the policy says otherwise) and `nbf` against the policy's clock and
    /// leeway. Runs on every verification, including hits in the verified-token cache.
    static func checkTime(_ claims: RegisteredClaims, policy: ClaimsPolicy) throws(JWTError) {
        let now = policy.clock().timeIntervalSince1970
        let leeway = policy.leewaySeconds
        if let expiration = claims.expiration?.timeIntervalSince1970 {
            // RFC 7519 §4.1.4: the current time must be before exp.
            guard now < expiration + leeway else { throw JWTError(.expired, "token expired") }
        } else if policy.requiresExpiration {
            throw JWTError(.missingClaim, "token has no exp")
        }
        if let notBefore = claims.notBefore?.timeIntervalSince1970 {
            guard now + leeway >= notBefore else { throw JWTError(.notYetValid, "token is not valid yet (nbf)") }
        }
    }
}
