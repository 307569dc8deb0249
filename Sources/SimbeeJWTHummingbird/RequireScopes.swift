public import Hummingbird
public import HummingbirdAuth

/// Lets a request through only when ``SimbeeAuthenticator`` authenticated it and its token carries
/// the required scopes.
///
/// - No token verified by the authenticator: `401` with a bare
///   `WWW-Authenticate: Bearer realm="simbee"` challenge (RFC 6750 §3.1: no error code when no
///   credentials were sent).
/// - A token without the scopes: `403` with
///   `WWW-Authenticate: Bearer realm="simbee", error="insufficient_scope", scope="read write"`,
///   listing ``ScopeRequirement/scopes``.
///
/// The realm and log level come from the ``SimbeeAuthConfiguration`` of the authenticator in front
/// of the route, and the scopes from the token it verified, so this works for any identity type.
///
/// ```swift
/// router.group("admin")
///     .add(middleware: RequireScopes(.any(["admin", "support"])))
///     .get("users") { _, _ in "…" }
/// ```
///
/// Inside a single handler, ``HummingbirdAuth/AuthRequestContext/requireSimbeeIdentity(scopes:)``
/// does the same.
public struct RequireScopes<Context: AuthRequestContext>: RouterMiddleware {
    private let requirement: ScopeRequirement

    /// Creates the middleware.
    ///
    /// - Parameters:
    ///   - requirement: The scopes needed: `.all([...])` or `.any([...])`.
    ///   - context: The request context type, for type inference only.
    public init(_ requirement: ScopeRequirement, context: Context.Type = Context.self) {
        self.requirement = requirement
    }

    /// Passes the request on when its token satisfies the requirement.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context, holding the identity.
    ///   - next: The rest of the chain.
    /// - Returns: The response of the rest of the chain.
    /// - Throws: ``BearerRefusal`` answering `401` or `403`, or what `next` throws.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        _ = try context.requireSimbeeIdentity(scopes: requirement)
        return try await next(request, context)
    }
}
