public import Hummingbird
public import HummingbirdAuth
import Logging
public import SimbeeJWT

/// Authenticates requests that carry a Simbee bearer token: `Authorization: Bearer <token>`.
///
/// Add it in front of your routes; routes then read the caller from `context.identity` or require
/// one with ``HummingbirdAuth/AuthRequestContext/requireIdentity(scopes:configuration:)`` or
/// ``RequireScopes``:
///
/// ```swift
/// let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
/// let keys = try RemoteJWKS(issuer: JWTVerifier.Configuration.simbeeIssuer)  // run it as a service
/// router.add(middleware: try SimbeeAuthenticator(clientID: "cl_123", keys: keys))
/// router.get("public") { _, _ in "hello" }
/// router.group("orders")
///     .add(middleware: RequireScopes(.all(["orders:read"])))
///     .get { _, context in "orders of \(try context.requireIdentity().subject)" }
/// ```
///
/// What each request gets:
/// - No `Authorization` field, or one with another scheme (`Basic` …): passed on unauthenticated,
///   so public routes work and other authenticators can run.
/// - One `Bearer` credential that verifies and names a subject: passed on with a
///   ``SimbeeIdentity`` in `context.identity`.
/// - A `Bearer` credential that is refused (malformed, bad signature, expired, wrong audience,
///   unknown key, no `sub` …): `401` with
///   `WWW-Authenticate: Bearer realm="simbee", error="invalid_token"` (RFC 6750 §3) and an empty
///   body. The reason (a `JWTError.Code` name) goes to the request's logger, never to the client.
/// - More than one `Authorization` field: `400` with `error="invalid_request"`.
/// - The key set cannot be obtained (`jwks_unavailable`, or `invalid_key_set` from a custom key
///   source): `503` with `Retry-After` and no challenge, so an outage is not mistaken for a bad token.
///
/// The scheme is matched case-insensitively; the credential must be exactly one `b64token`
/// (RFC 6750 §2.1). Tokens in query strings or form bodies are never read.
public struct SimbeeAuthenticator<Context: AuthRequestContext<SimbeeIdentity>>: AuthenticatorMiddleware {
    /// The identity put into the context: ``SimbeeIdentity``.
    public typealias Identity = SimbeeIdentity

    private let verifier: JWTVerifier
    private let configuration: SimbeeAuthConfiguration

    /// Creates an authenticator over a verifier you built, such as one over a `RemoteJWKS` that
    /// you run in your service group.
    ///
    /// - Parameters:
    ///   - verifier: Verifies each bearer token: signature, algorithm, key and claims policy.
    ///   - configuration: The challenge realm, `Retry-After` and log levels.
    ///   - context: The request context type, for type inference only.
    /// - Throws: `JWTError` with `JWTError.Code.invalidConfiguration` when a configuration value
    ///   is out of range.
    public init(
        verifier: JWTVerifier,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        context: Context.Type = Context.self
    ) throws(JWTError) {
        try configuration.validate()
        self.verifier = verifier
        self.configuration = configuration
    }

    /// Creates an authenticator for Simbee tokens issued to `clientID`, verified with `keys`
    /// (`JWTVerifier.simbee(clientID:keys:)`): usually the `RemoteJWKS` for Simbee's issuer that
    /// you also add to your service group.
    ///
    /// - Parameters:
    ///   - clientID: Your Simbee client id (`cl_…`), the audience your tokens carry.
    ///   - keys: Simbee's keys.
    ///   - configuration: The challenge realm, `Retry-After` and log levels.
    ///   - context: The request context type, for type inference only.
    /// - Throws: `JWTError` with `JWTError.Code.invalidConfiguration` for an empty client id or a
    ///   configuration value out of range.
    public init(
        clientID: String,
        keys: some JWTKeySource,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        context: Context.Type = Context.self
    ) throws(JWTError) {
        try self.init(verifier: try JWTVerifier.simbee(clientID: clientID, keys: keys), configuration: configuration)
    }

    /// Verifies the request's bearer token, if it has one.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context; refusals are logged at its logger.
    /// - Returns: The caller's identity, or `nil` when the request carries no bearer credential.
    /// - Throws: An `HTTPResponseError` answering `401`, `400` or `503` as described on the type.
    public func authenticate(request: Request, context: Context) async throws -> SimbeeIdentity? {
        let token: String
        switch AuthorizationField(request.headers) {
        case .absent, .otherScheme:
            return nil
        case .repeated:
            throw refuse(.invalidRequest(reason: "repeated_authorization", realm: configuration.realm), context)
        case .malformedBearer:
            throw refuse(.invalidToken(reason: "malformed_authorization", realm: configuration.realm), context)
        case .bearer(let credential):
            token = credential
        }

        let verified: VerifiedJWT
        do {
            verified = try await verifier.verify(token)
        } catch let error where error.code == .cancelled {
            // The request went away while the key set was being fetched: no answer is owed, and
            // it is neither a bad token nor an outage.
            context.logger.debug("Bearer verification cancelled")
            throw CancellationError()
        } catch {
            throw refuse(refusal(for: error), context)
        }
        guard let identity = SimbeeIdentity(verified: verified) else {
            throw refuse(.invalidToken(reason: JWTError.Code.missingClaim.name, realm: configuration.realm), context)
        }
        return identity
    }

    /// The answer to a verification error: key-source failures are outages (`503`), everything
    /// else is a refused token (`401`).
    private func refusal(for error: JWTError) -> BearerRefusal {
        switch error.code {
        case .jwksUnavailable, .invalidKeySet:
            return .unavailable(reason: error.code.name, retryAfter: configuration.retryAfter)
        default:
            return .invalidToken(reason: error.code.name, realm: configuration.realm)
        }
    }

    /// Logs `refusal` at the request's logger and returns it for throwing.
    private func refuse(_ refusal: BearerRefusal, _ context: Context) -> BearerRefusal {
        let level =
            refusal.status == .serviceUnavailable ? configuration.outageLogLevel : configuration.rejectionLogLevel
        context.logger.log(
            level: level,
            "Bearer credential refused",
            metadata: ["simbee.auth.reason": "\(refusal.reason)", "simbee.auth.status": "\(refusal.status.code)"]
        )
        return refusal
    }
}
