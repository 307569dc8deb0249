import Hummingbird
public import HummingbirdAuth
import Logging

extension AuthRequestContext {
    /// The identity of the caller ``SimbeeAuthenticator`` authenticated, provided their token
    /// carries the required scopes; otherwise a refusal with an RFC 6750 challenge.
    ///
    /// Use this, not hummingbird-auth's `requireIdentity()`: that one answers a bare `401` without
    /// `WWW-Authenticate`, which tells a client neither that a bearer token is expected nor for
    /// which realm. This one answers like ``RequireScopes``:
    /// - no token verified by a ``SimbeeAuthenticator`` in front of the route: `401` with
    ///   `WWW-Authenticate: Bearer realm="…"` (also when another authenticator set the identity:
    ///   scopes are a property of a Simbee token);
    /// - a token without the scopes: `403` with `error="insufficient_scope"` and the `scope` list.
    ///
    /// The realm and log level are the authenticator's ``SimbeeAuthConfiguration``; the scopes are
    /// those of the verified token, whatever identity type the context holds.
    ///
    /// ```swift
    /// router.delete("orders/:id") { _, context in
    ///     let caller = try context.requireSimbeeIdentity(scopes: .all(["orders:write"]))
    ///     return "deleted by \(caller.subject)"
    /// }
    /// ```
    ///
    /// - Parameter requirement: The scopes needed: `.all([...])` or `.any([...])`; by default none,
    ///   only an authenticated caller.
    /// - Returns: The identity the authenticator stored in the context.
    /// - Throws: ``BearerRefusal`` answering `401` or `403`.
    public func requireSimbeeIdentity(
        scopes requirement: ScopeRequirement = .all([])
    ) throws(BearerRefusal) -> Identity {
        let state = SimbeeAuthState.current
        let configuration = state?.configuration ?? SimbeeAuthConfiguration()
        guard let caller = state?.caller, let identity else {
            throw logged(.missingCredentials(realm: configuration.realm), requirement, configuration)
        }
        guard caller.satisfies(requirement) else {
            throw logged(.insufficientScope(requirement, realm: configuration.realm), requirement, configuration)
        }
        return identity
    }

    private func logged(
        _ refusal: BearerRefusal,
        _ requirement: ScopeRequirement,
        _ configuration: SimbeeAuthConfiguration
    ) -> BearerRefusal {
        refusal.log(
            "Request refused by scope requirement",
            to: logger,
            level: configuration.rejectionLogLevel,
            extra: ["simbee.auth.required": "\(requirement)"]
        )
        return refusal
    }
}
