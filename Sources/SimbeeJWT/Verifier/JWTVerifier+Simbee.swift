extension JWTVerifier {
    /// A verifier for Simbee tokens in one line: Simbee's JWK Set fetched and cached from
    /// `https://api.simbee.io/.well-known/jwks.json`, and the ``Configuration/simbee(clientID:)``
    /// policy (that issuer, ES256 and EdDSA, your client id as audience, `sub` required).
    ///
    /// ```swift
    /// let verifier = try JWTVerifier.simbee(clientID: "cl_123")
    /// let token = try await verifier.verify(bearer)
    /// ```
    ///
    /// To refresh keys in the background, or to read the cache's ``RemoteJWKS/status``, create the
    /// ``RemoteJWKS`` yourself, pass it as `keys`, and add it to your service group.
    ///
    /// - Parameters:
    ///   - clientID: Your Simbee client id (`cl_…`), the audience Simbee tokens for you carry.
    ///   - keys: The Simbee key source; by default a new ``RemoteJWKS`` for Simbee's issuer.
    /// - Returns: A verifier; share it between requests.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` for an empty client id.
    public static func simbee(clientID: String, keys: RemoteJWKS? = nil) throws(JWTError) -> JWTVerifier {
        let source: RemoteJWKS
        if let keys {
            source = keys
        } else {
            source = try RemoteJWKS(issuer: Configuration.simbeeIssuer)
        }
        return try JWTVerifier(keys: source, configuration: .simbee(clientID: clientID))
    }
}
