public import SimbeeJWT

extension SimbeeTestJWKSServer {
    /// A `RemoteJWKS` that fetches this server's JWK Set.
    ///
    /// By default it is configured like production except for the unknown-`kid` cooldown, which is
    /// zero: a token signed by a freshly rotated key causes a refresh at once instead of being
    /// refused for 30 seconds. Pass a configuration to test the production cooldown.
    ///
    /// - Parameter configuration: The cache's configuration; `nil` for ``testConfiguration``.
    /// - Throws: `JWTError` with code `invalid_configuration` for an out-of-range configuration.
    public func keySource(configuration: RemoteJWKS.Configuration? = nil) throws(JWTError) -> RemoteJWKS {
        try RemoteJWKS(url: url, configuration: configuration ?? Self.testConfiguration)
    }

    /// The key-cache configuration ``keySource(configuration:)`` uses by default: the production
    /// defaults with `unknownKeyCooldown` zero.
    public static var testConfiguration: RemoteJWKS.Configuration {
        var configuration = RemoteJWKS.Configuration()
        configuration.unknownKeyCooldown = .zero
        return configuration
    }

    /// A verifier with Simbee's policy (`JWTVerifier.Configuration.simbee(clientID:)`: ES256 and
    /// EdDSA, `clientID` as audience, `sub` required) for the served issuer's `iss`, with keys from
    /// ``keySource(configuration:)``.
    ///
    /// For the default issuer this is the verifier `JWTVerifier.simbee(clientID:keys:)` builds in
    /// production, pointed at this server.
    ///
    /// - Parameter clientID: The audience to accept; default ``TestClaims/defaultAudience``.
    /// - Throws: `JWTError` with code `invalid_configuration` for an empty client id.
    public func verifier(clientID: String = TestClaims.defaultAudience) throws(JWTError) -> JWTVerifier {
        var configuration = JWTVerifier.Configuration.simbee(clientID: clientID)
        configuration.claims.issuer = issuer.issuer
        return try JWTVerifier(keys: try keySource(), configuration: configuration)
    }
}
