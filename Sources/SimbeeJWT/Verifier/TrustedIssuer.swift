/// An issuer a verifier accepts, with the key source its tokens are checked against: for a service
/// that takes tokens from several issuers (staging and production, or one per tenant).
///
/// ```swift
/// let verifier = try JWTVerifier(
///     issuers: [
///         TrustedIssuer("https://api.simbee.io", keys: production),
///         TrustedIssuer("https://staging.simbee.io", keys: staging),
///     ],
///     configuration: .init(claims: ClaimsPolicy(audiences: ["cl_123"], requiredClaims: ["sub"]))
/// )
/// ```
public struct TrustedIssuer: Sendable {
    /// The exact `iss` of the issuer's tokens.
    public let issuer: String
    let keys: any JWTKeySource

    /// An issuer and its keys.
    ///
    /// - Parameters:
    ///   - issuer: The exact `iss` its tokens carry, compared byte for byte.
    ///   - keys: Where its keys come from, such as a ``RemoteJWKS`` for its JWK Set.
    public init(_ issuer: String, keys: some JWTKeySource) {
        self.issuer = issuer
        self.keys = keys
    }
}

/// Where a verifier's keys come from: one source, or one per accepted issuer.
enum KeyRouting: Sendable {
    case single(any JWTKeySource)
    case byIssuer([ExactText: any JWTKeySource])

    /// The routing for `issuers`, which must be a non-empty set of distinct, non-empty names.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` otherwise.
    init(issuers: [TrustedIssuer]) throws(JWTError) {
        guard !issuers.isEmpty else { throw JWTError(.invalidConfiguration, "a verifier needs at least one issuer") }
        var sources: [ExactText: any JWTKeySource] = [:]
        for trusted in issuers {
            guard !trusted.issuer.isEmpty else { throw JWTError(.invalidConfiguration, "an issuer must not be empty") }
            guard sources.updateValue(trusted.keys, forKey: ExactText(trusted.issuer)) == nil else {
                throw JWTError(
                    .invalidConfiguration,
                    "issuer \"\(DiagnosticText.printable(trusted.issuer))\" is listed twice"
                )
            }
        }
        self = .byIssuer(sources)
    }

    /// The source for a token whose payload names `issuer`, which is read only when there are
    /// several sources (reading it from a payload allocates).
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/issuerMismatch`` for an issuer outside the set.
    func source(for issuer: @autoclosure () -> String?) throws(JWTError) -> any JWTKeySource {
        switch self {
        case .single(let source):
            return source
        case .byIssuer(let sources):
            guard let issuer = issuer(), let source = sources[ExactText(issuer)] else {
                throw JWTError(.issuerMismatch, "iss is not one of the accepted issuers")
            }
            return source
        }
    }
}
