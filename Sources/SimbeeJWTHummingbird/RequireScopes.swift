public import Hummingbird
public import HummingbirdAuth

/// Lets a request through only when ``SimbeeAuthenticator`` authenticated it and its token carries
/// the required scopes.
///
/// - No identity in the context: `401` with a bare `WWW-Authenticate: Bearer realm="simbee"`
///   challenge (RFC 6750 §3.1: no error code when no credentials were sent).
/// - An identity without the scopes: `403` with
///   `WWW-Authenticate: Bearer realm="simbee", error="insufficient_scope", scope="read write"`,
///   listing ``ScopeRequirement/scopes``.
///
/// ```swift
/// router.group("admin")
///     .add(middleware: RequireScopes(.any(["admin", "support"])))
///     .get("users") { _, _ in "…" }
/// ```
///
/// Inside a single handler, ``HummingbirdAuth/AuthRequestContext/requireIdentity(scopes:configuration:)``
/// does the same.
public struct RequireScopes<Context: AuthRequestContext<SimbeeIdentity>>: RouterMiddleware {
    private let requirement: ScopeRequirement
    private let configuration: SimbeeAuthConfiguration

    /// Creates the middleware.
    ///
    /// - Parameters:
    ///   - requirement: The scopes needed: `.all([...])` or `.any([...])`.
    ///   - configuration: The challenge realm and log level; pass the authenticator's.
    ///   - context: The request context type, for type inference only.
    public init(
        _ requirement: ScopeRequirement,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        context: Context.Type = Context.self
    ) {
        self.requirement = requirement
        self.configuration = configuration
    }

    /// Passes the request on when its identity satisfies the requirement.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context, holding the identity.
    ///   - next: The rest of the chain.
    /// - Returns: The response of the rest of the chain.
    /// - Throws: An `HTTPResponseError` answering `401` or `403`, or what `next` throws.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        _ = try context.requireIdentity(scopes: requirement, configuration: configuration)
        return try await next(request, context)
    }
}
