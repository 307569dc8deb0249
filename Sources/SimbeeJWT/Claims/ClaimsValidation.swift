#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Judges a token's claims against a ``ClaimsPolicy``, once they are read.
enum ClaimsValidation {
    /// Claims that, when required, must be non-empty strings.
    private static let stringClaims: Set<String> = ["iss", "sub", "jti"]

    /// The payload as a strict JSON document (the header's limits) whose top-level value is an object.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` otherwise.
    static func payloadDocument(_ payload: [UInt8]) throws(JWTError) -> JSONDocument {
        try payloadDocument(payload, in: payload.indices)
    }

    /// The payload that stands in `bytes[range]` as a strict JSON document; see
    /// ``payloadDocument(_:)``.
    static func payloadDocument(_ bytes: [UInt8], in range: Range<Int>) throws(JWTError) -> JSONDocument {
        let document: JSONDocument
        do {
            document = try StrictJSONReader.parse(bytes, in: range, limits: JOSEHeader.jsonLimits)
        } catch {
            throw JWTError(.malformed, "payload is not strict JSON (\(error))")
        }
        guard document.kind(document.root) == .object else {
            throw JWTError(.malformed, "payload is not a JSON object")
        }
        return document
    }

    /// Reads a verified payload's registered claims, then judges them against `policy`.
    ///
    /// - Parameters:
    ///   - payload: The payload, whose signature holds.
    ///   - headerType: The header's `typ`, for ``ClaimsPolicy/acceptedTypes``.
    ///   - policy: What the claims must satisfy.
    /// - Returns: The registered claims.
    /// - Throws: ``JWTError`` with the first rule the payload breaks.
    static func validate(payload: [UInt8], headerType: String?, policy: ClaimsPolicy) throws(JWTError)
        -> RegisteredClaims
    {
        try validate(document: payloadDocument(payload), headerType: headerType, policy: policy)
    }

    /// Reads the claims of a verified payload already read as a document and judges them; see
    /// ``validate(payload:headerType:policy:)``.
    static func validate(document: JSONDocument, headerType: String?, policy: ClaimsPolicy) throws(JWTError)
        -> RegisteredClaims
    {
        let claims = try RegisteredClaims(reading: document)
        try judge(claims, of: document, headerType: headerType, policy: policy)
        return claims
    }

    /// Checks read claims against `policy`: times, issuer, audience, required claims (looked up in
    /// `document`, the payload they were read from) and the header's `typ`.
    ///
    /// - Throws: ``JWTError`` with the first rule the claims break.
    static func judge(
        _ claims: RegisteredClaims,
        of document: JSONDocument,
        headerType: String?,
        policy: ClaimsPolicy
    ) throws(JWTError) {
        try checkTime(claims, policy: policy)

        if let issuer = policy.issuer {
            guard let matches = claims.hasIssuer(issuer) else { throw JWTError(.missingClaim, "token has no iss") }
            guard matches else {
                throw JWTError(.issuerMismatch, "iss is not the expected issuer \(Self.quoted(issuer))")
            }
        }
        if !policy.audiences.isEmpty {
            guard claims.hasAudience else { throw JWTError(.missingClaim, "token has no aud") }
            guard claims.audienceContains(anyOf: policy.audiences) else {
                throw JWTError(
                    .audienceMismatch,
                    "aud does not contain an accepted audience (\(policy.audiences.map(Self.quoted).joined(separator: ", ")))"
                )
            }
        } else if claims.hasAudience, !policy.skipsAudienceCheck {
            // RFC 7519 §4.1.3: a recipient that does not identify itself with a value of a present
            // `aud` must reject the token.
            throw JWTError(.audienceMismatch, "token has aud, but this verifier accepts no audience")
        }

        for name in policy.requiredClaims {
            guard let value = document.member(name, of: document.root) else {
                throw JWTError(.missingClaim, "token has no \(DiagnosticText.printable(name))")
            }
            switch document.kind(value) {
            case .null:
                throw JWTError(.invalidClaim, "\(DiagnosticText.printable(name)) is null")
            case .string where document.isEmptyString(value):
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
            guard let headerType else { throw JWTError(.missingClaim, "header has no typ") }
            guard policy.acceptedTypes.contains(where: { MediaType.matches(headerType, $0) }) else {
                throw JWTError(.invalidClaim, "header typ is not an accepted type")
            }
        }

        try checkRules(document, policy: policy)
    }

    /// The policy's ``ClaimsPolicy/rules`` against the payload `document`. Runs on every
    /// verification, including hits in the verified-token cache: a rule is the caller's code and may
    /// depend on the time or on state of its own, so its verdict is never remembered.
    static func checkRules(_ document: JSONDocument, policy: ClaimsPolicy) throws(JWTError) {
        for rule in policy.rules { try rule.check(document) }
    }

    /// A configured value for a message, quoted and with anything unprintable escaped.
    private static func quoted(_ value: String) -> String {
        "\"\(DiagnosticText.printable(value))\""
    }

    /// Seconds for a message: whole numbers without a fraction.
    private static func time(_ seconds: Double) -> String {
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int64(seconds)) }
        return String(seconds)
    }

    /// `exp` (required unless the policy says otherwise) and `nbf` against the policy's clock and
    /// leeway. Runs on every verification, including hits in the verified-token cache.
    static func checkTime(_ claims: RegisteredClaims, policy: ClaimsPolicy) throws(JWTError) {
        let now = policy.clock().timeIntervalSince1970
        let leeway = policy.leewaySeconds
        if let expiration = claims.expiration?.timeIntervalSince1970 {
            // RFC 7519 §4.1.4: the current time must be before exp.
            guard now < expiration + leeway else {
                throw JWTError(
                    .expired,
                    "token expired: exp \(Self.time(expiration)), now \(Self.time(now.rounded(.down))), leeway \(Self.time(leeway)) s"
                )
            }
        } else if policy.requiresExpiration {
            throw JWTError(.missingClaim, "token has no exp")
        }
        if let notBefore = claims.notBefore?.timeIntervalSince1970 {
            guard now + leeway >= notBefore else {
                throw JWTError(
                    .notYetValid,
                    "token is not valid yet: nbf \(Self.time(notBefore)), now \(Self.time(now.rounded(.down))), leeway \(Self.time(leeway)) s"
                )
            }
        }
    }
}

extension JSONObject {
    /// A JWT payload as a tree, for tools that print it; the same checks as verification.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` when it is not a strict JSON object.
    package static func claimsSet(_ payload: [UInt8]) throws(JWTError) -> JSONObject {
        let document = try ClaimsValidation.payloadDocument(payload)
        return JSONObject(
            members: document.members(of: document.root).map {
                JSONObject.Member(name: document.string($0.name) ?? "", value: document.value($0.value))
            }
        )
    }
}
