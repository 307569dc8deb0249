/// What ``SimbeeAuthenticator`` leaves for the rest of the middleware chain: its configuration and
/// the caller whose token it verified.
///
/// The authenticator binds it as a task-local value around the request's remaining middleware and
/// handler, so ``RequireScopes``, `requireSimbeeIdentity(scopes:)` and ``BearerRefusal``'s
/// factories answer with the authenticator's realm and see the verified token's scopes whatever
/// identity type the app stores in its context. Outside an authenticator nothing is bound: the
/// default configuration applies and no caller is authenticated.
struct SimbeeAuthState: Sendable {
    /// The authenticator's configuration.
    let configuration: SimbeeAuthConfiguration
    /// The caller of the bearer token the authenticator verified; `nil` when the request carried
    /// no Simbee credential.
    let caller: SimbeeIdentity?

    /// The state of the authenticator nearest in front of the running code.
    @TaskLocal static var current: SimbeeAuthState?

    /// The configuration in effect: the authenticator's, or the default one outside of it.
    static var configuration: SimbeeAuthConfiguration {
        current?.configuration ?? SimbeeAuthConfiguration()
    }
}
