/// Where a ``JWTVerifier`` gets the key for a token.
///
/// ``JWKSet`` is the in-memory source. Conform your own type to bring keys from elsewhere; the
/// verifier checks the returned key against the header's algorithm itself, so a source only selects.
///
/// A source must never fall back to a default key or try several keys: an unknown `kid` is an
/// ``JWTError/Code/unknownKey`` error.
public protocol JWTKeySource: Sendable {
    /// The key a token must be verified with.
    ///
    /// - Parameters:
    ///   - keyID: The header's `kid`, or `nil` when the token has none (only asked when the
    ///     verifier is configured not to require one).
    ///   - algorithm: The header's algorithm, already on the verifier's allow-list.
    /// - Returns: The single key selected by `keyID`.
    /// - Throws: ``JWTError`` with ``JWTError/Code/unknownKey`` when no key is selected, or
    ///   ``JWTError/Code/jwksUnavailable`` when the keys cannot be obtained.
    func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey

    /// The key ``key(for:algorithm:)`` would return, when the source has it at hand.
    ///
    /// The verifier asks this first, so a verification whose key is at hand runs without
    /// suspending, and calls ``key(for:algorithm:)`` only on `nil`. A source that has to wait for
    /// its keys (or to say why there is none) returns `nil`; the default implementation always does.
    /// Whatever this returns must be what ``key(for:algorithm:)`` would return at that moment.
    ///
    /// - Parameters:
    ///   - keyID: The header's `kid`, or `nil` when the token has none.
    ///   - algorithm: The header's algorithm, already on the verifier's allow-list.
    /// - Returns: The selected key, or `nil` to leave the answer to ``key(for:algorithm:)``.
    func cachedKey(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey?
}

extension JWTKeySource {
    /// Returns `nil`: the verifier then awaits ``key(for:algorithm:)``.
    public func cachedKey(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey? {
        nil
    }
}
