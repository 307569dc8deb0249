import Hummingbird
public import HummingbirdAuth
import Logging

extension AuthRequestContext where Identity == SimbeeIdentity {
    /// The authenticated caller, provided their token carries the required scopes.
    ///
    /// The per-handler form of ``RequireScopes``, with the same answers: `401` with a bare Bearer
    /// challenge when the request was not authenticated, `403` with `error="insufficient_scope"`
    /// and the `scope` list when the scopes are missing.
    ///
    /// ```swift
    /// router.delete("orders/:id") { _, context in
    ///     let caller = try context.requireIdentity(scopes: .all(["orders:write"]))
    ///     return "deleted by \(caller.subject)"
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - requirement: The scopes needed: `.all([...])` or `.any([...])`.
    ///   - configuration: The challenge realm and log level; pass the authenticator's.
    /// - Returns: The identity ``SimbeeAuthenticator`` stored in the context.
    /// - Throws: An `HTTPResponseError` answering `401` or `403`.
    public func requireIdentity(
        scopes requirement: ScopeRequirement,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration()
    ) throws -> SimbeeIdentity {
        guard let identity else {
            throw logged(.missingCredentials(realm: configuration.realm), requirement, configuration)
        }
        guard identity.satisfies(requirement) else {
            throw logged(.insufficientScope(requirement, realm: configuration.realm), requirement, configuration)
        }
        return identity
    }

    private func logged(
        _ refusal: BearerRefusal,
        _ requirement: ScopeRequirement,
        _ configuration: SimbeeAuthConfiguration
    ) -> BearerRefusal {
        logger.log(
            level: configuration.rejectionLogLevel,
            "Request refused by scope requirement",
            metadata: [
                "simbee.auth.reason": "\(refusal.reason)",
                "simbee.auth.status": "\(refusal.status.code)",
                "simbee.auth.required": "\(requirement)",
            ]
        )
        return refusal
    }
}
