/// The one error SimbeeJWT throws: a stable machine-readable ``code`` and a human ``message``.
///
/// Switch on ``code`` (its ``Code/name`` is stable and safe to log); show ``message`` to operators.
/// Send neither to the client: answer `401` (or `503` for ``Code/jwksUnavailable``), so that a
/// caller cannot learn which check its token failed. Neither ever contains the token, its
/// signature or key material, so both are safe to log; a message may quote a time claim's value
/// (`exp`, `nbf`) and, from ``VerifiedJWT/decodeClaims(as:decoder:)``, a sanitised member name.
///
/// ```swift
/// do {
///     let token = try await verifier.verify(bearer)
/// } catch let error where error.code == .expired {
///     // ask the client to re-exchange its API key
/// }
/// ```
public struct JWTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason for a rejection.
    ///
    /// An open set: new codes may be added in minor releases, so `switch` statements over codes
    /// need a `default` branch.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Backing: String, Sendable, Hashable, CaseIterable {
            case malformed
            case tokenTooLarge = "token_too_large"
            case unsupportedAlgorithm = "unsupported_algorithm"
            case algorithmNotAllowed = "algorithm_not_allowed"
            case unknownKey = "unknown_key"
            case keyMismatch = "key_mismatch"
            case invalidSignature = "invalid_signature"
            case unsupportedCriticalHeader = "unsupported_critical_header"
            case expired
            case notYetValid = "not_yet_valid"
            case issuerMismatch = "issuer_mismatch"
            case audienceMismatch = "audience_mismatch"
            case missingClaim = "missing_claim"
            case invalidClaim = "invalid_claim"
            case jwksUnavailable = "jwks_unavailable"
            case invalidKeySet = "invalid_key_set"
            case invalidConfiguration = "invalid_configuration"
            case cancelled
        }

        let backing: Backing

        /// The code's stable snake_case name, e.g. `"invalid_signature"`.
        public var name: String { backing.rawValue }

        /// Same as ``name``.
        public var description: String { backing.rawValue }

        /// The token is not a well-formed compact JWS/JWT: wrong segment count, bad base64url,
        /// header or payload that is not a strict JSON object, a header member of the wrong type.
        public static let malformed = Code(backing: .malformed)
        /// The token is longer than the verifier's size limit; nothing else was looked at.
        public static let tokenTooLarge = Code(backing: .tokenTooLarge)
        /// The header names an algorithm this library does not implement (`none`, `HS256`, `RS256` …).
        public static let unsupportedAlgorithm = Code(backing: .unsupportedAlgorithm)
        /// The algorithm is implemented but not on this verifier's allow-list.
        public static let algorithmNotAllowed = Code(backing: .algorithmNotAllowed)
        /// No usable key has the token's `kid` (or the token has none and one is required).
        public static let unknownKey = Code(backing: .unknownKey)
        /// The key named by `kid` cannot run the header's algorithm (key type, curve or JWK `alg`).
        public static let keyMismatch = Code(backing: .keyMismatch)
        /// The signature is malformed or does not verify.
        public static let invalidSignature = Code(backing: .invalidSignature)
        /// The header uses `crit`, `b64`, `enc` or a nested-JWT `cty`, none of which is supported.
        public static let unsupportedCriticalHeader = Code(backing: .unsupportedCriticalHeader)
        /// `exp` has passed (beyond the leeway).
        public static let expired = Code(backing: .expired)
        /// `nbf` lies in the future (beyond the leeway).
        public static let notYetValid = Code(backing: .notYetValid)
        /// `iss` differs from the configured issuer.
        public static let issuerMismatch = Code(backing: .issuerMismatch)
        /// No `aud` value equals a configured audience, or the token has `aud` and none is configured.
        public static let audienceMismatch = Code(backing: .audienceMismatch)
        /// A claim (or header `typ`) that the policy requires is absent.
        public static let missingClaim = Code(backing: .missingClaim)
        /// A claim (or header `typ`) is present with the wrong type, range or value.
        public static let invalidClaim = Code(backing: .invalidClaim)
        /// The key set could not be obtained (remote JWKS sources).
        public static let jwksUnavailable = Code(backing: .jwksUnavailable)
        /// A JWK Set document is unusable as a whole: not a JSON object with a `keys` array, too
        /// large, too many keys, or no usable key at all.
        public static let invalidKeySet = Code(backing: .invalidKeySet)
        /// A configuration value is out of range (for example a negative leeway).
        public static let invalidConfiguration = Code(backing: .invalidConfiguration)
        /// The calling task was cancelled while it waited for the key set: nothing was decided
        /// about the token, and nothing is wrong with the key set.
        public static let cancelled = Code(backing: .cancelled)
    }

    /// Why the token (or configuration) was refused.
    public let code: Code
    /// A human-readable explanation. Never contains the token, its signature or key material.
    public let message: String

    /// `"<code>: <message>"`.
    public var description: String { "\(code.name): \(message)" }

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
