public import HummingbirdAuth
public import SimbeeJWT

// The 0.1.0 spellings, unavailable with fix-its: the compiler names the replacement instead of
// reporting a missing member.

extension AuthRequestContext where Identity == SimbeeIdentity {
    /// Renamed ``requireSimbeeIdentity(scopes:)``; the configuration is the authenticator's.
    ///
    /// - Parameters:
    ///   - requirement: The scopes needed.
    ///   - configuration: No longer used: the authenticator's applies.
    /// - Returns: Never.
    @available(*, unavailable, renamed: "requireSimbeeIdentity(scopes:)")
    public func requireIdentity(
        scopes requirement: ScopeRequirement,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration()
    ) throws -> SimbeeIdentity {
        fatalError("unavailable")
    }
}

extension RequireScopes {
    /// Pass the configuration to ``SimbeeAuthenticator`` only: ``RequireScopes`` reads it there.
    ///
    /// - Parameters:
    ///   - requirement: The scopes needed.
    ///   - configuration: No longer used: the authenticator's applies.
    ///   - context: The request context type.
    @available(*, unavailable, message: "pass the configuration to SimbeeAuthenticator only")
    public init(
        _ requirement: ScopeRequirement,
        configuration: SimbeeAuthConfiguration,
        context: Context.Type = Context.self
    ) {
        fatalError("unavailable")
    }
}

extension SimbeeAuthenticator where Context.Identity == SimbeeIdentity {
    /// Pass the key cache you run: ``init(clientID:keys:configuration:context:)``.
    ///
    /// - Parameters:
    ///   - clientID: Your Simbee client id.
    ///   - configuration: The challenge realm, `Retry-After` and log levels.
    ///   - context: The request context type.
    @available(
        *,
        unavailable,
        message: "create the RemoteJWKS, run it in your service group, and pass it as keys:"
    )
    public init(
        clientID: String,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        context: Context.Type = Context.self
    ) throws(JWTError) {
        fatalError("unavailable")
    }
}
