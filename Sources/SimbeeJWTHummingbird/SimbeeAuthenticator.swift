public import Hummingbird
public import HummingbirdAuth
import Logging
public import SimbeeJWT

/// Authenticates requests that carry a Simbee bearer token: `Authorization: Bearer <token>`.
///
/// Add it in front of your routes; routes then read the caller from `context.identity` or require
/// one with ``HummingbirdAuth/AuthRequestContext/requireSimbeeIdentity(scopes:)`` or
/// ``RequireScopes``:
///
/// ```swift
/// let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
/// router.add(middleware: try SimbeeAuthenticator(verifier: verifier))
/// router.get("public") { _, _ in "hello" }
/// router.group("orders")
///     .add(middleware: RequireScopes(.all(["orders:read"])))
///     .get { _, context in "orders of \(try context.requireSimbeeIdentity().subject)" }
/// ```
///
/// The identity is ``SimbeeIdentity`` by default. To put your own user type into the context, as
/// hummingbird-auth's authenticators do, pass a closure that maps the verified caller to it;
/// returning `nil` refuses the token with `401 invalid_token`:
///
/// ```swift
/// let router = Router(context: BasicAuthRequestContext<User>.self)
/// router.add(
///     middleware: try SimbeeAuthenticator(verifier: verifier) { caller, _, _ in
///         try await users.find(simbeeID: caller.subject)
///     }
/// )
/// ```
///
/// What each request gets:
/// - No `Authorization` field, or one with another scheme (`Basic` …): passed on unauthenticated,
///   so public routes work and other authenticators can run.
/// - One `Bearer` credential that verifies, names a subject and maps to an identity: passed on
///   with the identity in `context.identity`.
/// - A `Bearer` credential that is refused (malformed, bad signature, expired, wrong audience,
///   unknown key, no `sub`, no identity …): `401` with
///   `WWW-Authenticate: Bearer realm="simbee", error="invalid_token"` (RFC 6750 §3) and an empty
///   body. The reason (a `JWTError.Code` name) and the error's message go to the request's
///   logger, never to the client.
/// - More than one `Authorization` field: `400` with `error="invalid_request"`.
/// - The key set cannot be obtained (`jwks_unavailable`, or `invalid_key_set` from a custom key
///   source): `503` with `Retry-After` and no challenge, so an outage is not mistaken for a bad token.
///
/// The authenticator's ``SimbeeAuthConfiguration`` and the verified token stay available to the
/// rest of the chain: ``RequireScopes``, `requireSimbeeIdentity(scopes:)` and ``BearerRefusal``
/// use them, so the configuration is passed once, here.
///
/// The scheme is matched case-insensitively; the credential must be exactly one `b64token`
/// (RFC 6750 §2.1). Tokens in query strings or form bodies are never read.
public struct SimbeeAuthenticator<Context: AuthRequestContext>: AuthenticatorMiddleware {
    /// The identity put into the context: the context's `Identity`.
    public typealias Identity = Context.Identity

    private let verifier: JWTVerifier
    private let configuration: SimbeeAuthConfiguration
    private let identify: @Sendable (SimbeeIdentity, Request, Context) async throws -> Identity?

    /// Creates an authenticator that maps each verified caller to your own identity type.
    ///
    /// The closure runs after the token verified and names a subject. Returning `nil`, or throwing
    /// ``BearerRefusal/invalidToken(reason:)``, refuses the request with `401` and the
    /// `invalid_token` challenge; throw ``BearerRefusal/insufficientScope(_:)`` for a `403`. Other
    /// errors propagate unchanged (a database outage stays your error, not a refused token).
    ///
    /// - Parameters:
    ///   - verifier: Verifies each bearer token: signature, algorithm, key and claims policy.
    ///   - configuration: The challenge realm, `Retry-After` and log levels, for this
    ///     authenticator and everything behind it.
    ///   - context: The request context type, for type inference only.
    ///   - identity: Maps the verified caller, the request and its context to your identity, or
    ///     `nil` when the caller is not one of yours.
    /// - Throws: `JWTError` with `JWTError.Code.invalidConfiguration` when a configuration value
    ///   is out of range or the realm holds a control character.
    public init(
        verifier: JWTVerifier,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        context: Context.Type = Context.self,
        identity:
            @escaping @Sendable (
                _ caller: SimbeeIdentity, _ request: Request, _ context: Context
            ) async throws -> Identity?
    ) throws(JWTError) {
        try configuration.validate()
        self.verifier = verifier
        self.configuration = configuration
        self.identify = identity
    }

    /// Verifies the request's bearer token, if it has one, and runs the rest of the chain with the
    /// identity in the context and this authenticator's configuration and caller bound for
    /// ``RequireScopes`` and `requireSimbeeIdentity(scopes:)`.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context.
    ///   - next: The rest of the chain.
    /// - Returns: The response of the rest of the chain.
    /// - Throws: ``BearerRefusal`` as described on the type, or what `next` throws.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await SimbeeAuthState.$current.withValue(SimbeeAuthState(configuration: configuration, caller: nil)) {
            guard let outcome = try await authenticated(request, context) else {
                return try await next(request, context)
            }
            var context = context
            context.identity = outcome.identity
            return try await SimbeeAuthState.$current.withValue(
                SimbeeAuthState(configuration: configuration, caller: outcome.caller)
            ) {
                try await next(request, context)
            }
        }
    }

    /// Verifies the request's bearer token, if it has one.
    ///
    /// ``handle(_:context:next:)`` calls it; call it yourself only to authenticate outside the
    /// middleware chain (``RequireScopes`` then sees no caller).
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context; refusals are logged at its logger.
    /// - Returns: The caller's identity, or `nil` when the request carries no bearer credential.
    /// - Throws: ``BearerRefusal`` answering `401`, `400` or `503` as described on the type.
    public func authenticate(request: Request, context: Context) async throws -> Identity? {
        try await authenticated(request, context)?.identity
    }

    /// The verified caller and the app's identity for it, or `nil` without a bearer credential.
    private func authenticated(
        _ request: Request,
        _ context: Context
    ) async throws -> (caller: SimbeeIdentity, identity: Identity)? {
        let realm = configuration.realm
        let token: String
        switch AuthorizationField(request.headers) {
        case .absent, .otherScheme:
            return nil
        case .repeated:
            let message = "the request has more than one Authorization field"
            throw refuse(.invalidRequest(reason: "repeated_authorization", message: message, realm: realm), context)
        case .malformedBearer:
            let message = "the Bearer credential is not exactly one b64token"
            throw refuse(.invalidToken(reason: "malformed_authorization", message: message, realm: realm), context)
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
        guard let caller = SimbeeIdentity(verified: verified) else {
            let message = "the token has no non-empty sub claim"
            throw refuse(
                .invalidToken(reason: JWTError.Code.missingClaim.name, message: message, realm: realm),
                context
            )
        }
        let identity: Identity?
        do {
            identity = try await identify(caller, request, context)
        } catch let refusal as BearerRefusal {
            throw refuse(refusal, context)
        }
        guard let identity else {
            let message = "the identity closure found no identity for the token's subject"
            throw refuse(.invalidToken(reason: "unknown_identity", message: message, realm: realm), context)
        }
        return (caller, identity)
    }

    /// The answer to a verification error: key-source failures are outages (`503`), everything
    /// else is a refused token (`401`).
    private func refusal(for error: JWTError) -> BearerRefusal {
        switch error.code {
        case .jwksUnavailable, .invalidKeySet:
            return .unavailable(reason: error.code.name, message: error.message, retryAfter: configuration.retryAfter)
        default:
            return .invalidToken(reason: error.code.name, message: error.message, realm: configuration.realm)
        }
    }

    /// Logs `refusal` at the request's logger and returns it for throwing.
    private func refuse(_ refusal: BearerRefusal, _ context: Context) -> BearerRefusal {
        let level =
            refusal.status == .serviceUnavailable ? configuration.outageLogLevel : configuration.rejectionLogLevel
        refusal.log("Bearer credential refused", to: context.logger, level: level)
        return refusal
    }
}

extension SimbeeAuthenticator where Context.Identity == SimbeeIdentity {
    /// Creates an authenticator that puts a ``SimbeeIdentity`` into the context.
    ///
    /// - Parameters:
    ///   - verifier: Verifies each bearer token, such as one over a `RemoteJWKS` that you run in
    ///     your service group.
    ///   - configuration: The challenge realm, `Retry-After` and log levels, for this
    ///     authenticator and everything behind it.
    ///   - context: The request context type, for type inference only.
    /// - Throws: `JWTError` with `JWTError.Code.invalidConfiguration` when a configuration value
    ///   is out of range or the realm holds a control character.
    public init(
        verifier: JWTVerifier,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        context: Context.Type = Context.self
    ) throws(JWTError) {
        try self.init(verifier: verifier, configuration: configuration) { caller, _, _ in caller }
    }

    /// Creates an authenticator for Simbee tokens issued to `clientID`, with keys from `keys`
    /// (`JWTVerifier.simbee(clientID:keys:)`).
    ///
    /// The key cache is yours: add it to your service group so it refreshes in the background,
    /// read its `status`, and give it a logger and metrics through its initializer.
    ///
    /// ```swift
    /// let keys = try RemoteJWKS(issuer: JWTVerifier.Configuration.simbeeIssuer)
    /// router.add(middleware: try SimbeeAuthenticator(clientID: "cl_123", keys: keys))
    /// var app = Application(router: router)
    /// app.addServices(keys)
    /// ```
    ///
    /// - Parameters:
    ///   - clientID: Your Simbee client id (`cl_…`), the audience your tokens carry.
    ///   - keys: Simbee's keys: usually the cache of its JWK Set that you run as a service; any
    ///     `JWTKeySource`.
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
}
