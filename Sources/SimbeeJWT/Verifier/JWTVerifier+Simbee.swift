public import CoreMetrics

extension JWTVerifier {
    /// A verifier for Simbee tokens over `keys`, with the ``Configuration/simbee(clientID:)`` policy
    /// (Simbee's issuer, ES256, EdDSA and Ed25519, your client id as audience, `sub` required).
    ///
    /// The key source is yours to create once and share, so that every verifier sees one cache,
    /// and to run: add a ``RemoteJWKS`` to your service group to refresh it in the background, and
    /// read its ``RemoteJWKS/status`` for health checks.
    ///
    /// ```swift
    /// let keys = try RemoteJWKS(issuer: JWTVerifier.Configuration.simbeeIssuer, logger: logger)
    /// let verifier = try JWTVerifier.simbee(clientID: "cl_123", keys: keys)
    /// // serviceGroup services: [keys, …]
    /// ```
    ///
    /// - Parameters:
    ///   - clientID: Your Simbee client id (`cl_…`), the audience Simbee tokens for you carry.
    ///   - keys: Simbee's keys: usually a ``RemoteJWKS`` for ``Configuration/simbeeIssuer``; any
    ///     ``JWTKeySource`` (a ``JWKSet`` in tests, your own source).
    ///   - metricsFactory: When given, verification outcomes are counted; see
    ///     ``init(keys:configuration:metricsFactory:)``.
    /// - Returns: A verifier; share it between requests.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` for an empty client id.
    public static func simbee(
        clientID: String,
        keys: some JWTKeySource,
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(JWTError) -> JWTVerifier {
        try JWTVerifier(keys: keys, configuration: .simbee(clientID: clientID), metricsFactory: metricsFactory)
    }
}
