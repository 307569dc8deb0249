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
}

/// A key source that can often answer without suspending: the verifier asks it first and calls
/// ``JWTKeySource/key(for:algorithm:)`` only when it has no answer.
///
/// Awaiting even a call that never suspends goes through the async calling convention and the
/// split functions of the awaiting code; answering synchronously keeps the usual verification in
/// one run of code (measured per ES256 verification: about 500 fewer instructions with a
/// ``JWKSet``, 1,000 with a ``RemoteJWKS``, and 5 and 9 fewer lines of code to fetch into the
/// instruction cache).
protocol ImmediateKeySource: JWTKeySource {
    /// The key for `keyID` when it can be had at once; `nil` leaves the answer, and any error, to
    /// ``JWTKeySource/key(for:algorithm:)``.
    func keyWithoutWaiting(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey?
}
