#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Verifies compact JWS/JWT tokens signed with ES256 or EdDSA (Ed25519): the front door.
///
/// A verifier is built once with its keys and policy and then shared: it is a `Sendable` value,
/// and verifications from many tasks run in parallel. Each call runs, in order:
/// 1. the size limit, then exactly three strict base64url segments;
/// 2. the header as strict JSON: `crit`, `b64`, `enc`, nested `cty` refused; `alg` on the allow-list;
/// 3. the key selected by `kid` (required by default), which must fit `alg`;
/// 4. the signature;
/// 5. only then the payload, as strict JSON, and the ``ClaimsPolicy``.
///
/// Successful verifications are remembered (``Configuration/tokenCache``): the same token bytes
/// presented again skip steps 1–5, but `exp`/`nbf` are re-checked against the clock and the key
/// that verified the token must still be the one the key source returns for its `kid`.
///
/// ```swift
/// let keys = try JWKSet(json: jwksBytes)
/// let verifier = try JWTVerifier(keys: keys, configuration: .simbee(clientID: "cl_123"))
/// let token = try await verifier.verify(bearerToken)
/// print(token.claims.subject ?? "", token.claims.scopes)
/// ```
public struct JWTVerifier: Sendable {
    /// Everything a verifier checks besides the keys.
    ///
    /// Values are checked when the verifier is created: ``JWTVerifier/init(keys:configuration:)``
    /// throws ``JWTError/Code/invalidConfiguration`` for one out of range.
    ///
    /// ```swift
    /// var configuration = JWTVerifier.Configuration.simbee(clientID: "cl_123")
    /// configuration.algorithms = [.es256]  // API-key exchange tokens only
    /// let verifier = try JWTVerifier(keys: keySet, configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// The default size limit: 16 KiB.
        public static let defaultMaxTokenBytes = 16 * 1024

        /// Algorithms a header may name. Default: all of ``JWTAlgorithm/allSupported``. Must not be empty.
        public var algorithms: [JWTAlgorithm]
        /// Whether a token must carry a `kid`. Default `true`. Without one, a token is accepted only
        /// when exactly one key in the set can run its algorithm.
        public var requiresKeyID: Bool
        /// The largest token accepted, in bytes, checked before anything else: 64 B … 1 MiB, default 16 KiB.
        public var maxTokenBytes: Int
        /// The claims policy: expiry, issuer, audience, required claims and `typ`. Default
        /// ``ClaimsPolicy/init(issuer:audiences:requiresExpiration:leeway:requiredClaims:acceptedTypes:)``:
        /// `exp` required, 60 seconds of leeway, issuer not checked, tokens with `aud` refused.
        public var claims: ClaimsPolicy
        /// The verified-token cache, on by default; `nil` turns it off.
        ///
        /// Successful verifications are remembered by exact token bytes, so a token presented
        /// again skips parsing and the signature. Each hit still re-checks `exp` and `nbf` against
        /// the clock and confirms that the key source still returns the key that verified it.
        public var tokenCache: TokenCache?

        /// Bounds of the verified-token cache.
        public struct TokenCache: Sendable {
            /// The most tokens remembered (1 … 1,000,000). Default 10,000.
            public var capacity: Int = 10_000
            /// The most memory the remembered tokens may take, roughly (64 KiB … 1 GiB). Default 32 MiB.
            public var maxBytes: Int = 32 << 20

            /// The defaults: 10,000 tokens, 32 MiB.
            public init() {}
        }

        /// A configuration; every parameter has the safe default.
        ///
        /// The default claims policy does not check the issuer and refuses any token that names an
        /// audience: for Simbee tokens start from ``simbee(clientID:)`` instead, or pass a
        /// ``ClaimsPolicy`` with both.
        ///
        /// - Parameters:
        ///   - algorithms: The allow-list.
        ///   - requiresKeyID: Whether `kid` is required.
        ///   - maxTokenBytes: The size limit.
        ///   - claims: The claims policy.
        ///   - tokenCache: The verified-token cache bounds, or `nil` to turn it off.
        public init(
            algorithms: [JWTAlgorithm] = JWTAlgorithm.allSupported,
            requiresKeyID: Bool = true,
            maxTokenBytes: Int = Configuration.defaultMaxTokenBytes,
            claims: ClaimsPolicy = ClaimsPolicy(),
            tokenCache: TokenCache? = TokenCache()
        ) {
            self.algorithms = algorithms
            self.requiresKeyID = requiresKeyID
            self.maxTokenBytes = maxTokenBytes
            self.claims = claims
            self.tokenCache = tokenCache
        }

        /// Simbee's issuer, `https://api.simbee.io`; its JWK Set is at `/.well-known/jwks.json` below it.
        public static let simbeeIssuer = "https://api.simbee.io"

        /// The configuration for Simbee tokens: issuer `https://api.simbee.io`, ES256 and EdDSA
        /// (API-key exchange and session tokens), your client id as the audience, `sub` required.
        ///
        /// - Parameter clientID: Your Simbee client id (`cl_…`).
        /// - Returns: The configuration; an empty `clientID` makes the verifier's initializer throw
        ///   ``JWTError/Code/invalidConfiguration``.
        public static func simbee(clientID: String) -> Configuration {
            Configuration(
                algorithms: [.es256, .edDSA, .ed25519],
                claims: ClaimsPolicy(issuer: simbeeIssuer, audiences: [clientID], requiredClaims: ["sub"])
            )
        }

        func validate() throws(JWTError) {
            guard !algorithms.isEmpty else {
                throw JWTError(.invalidConfiguration, "the algorithm allow-list must not be empty")
            }
            guard (64...(1 << 20)).contains(maxTokenBytes) else {
                throw JWTError(.invalidConfiguration, "maxTokenBytes must be between 64 and 1048576")
            }
            if let tokenCache {
                guard (1...1_000_000).contains(tokenCache.capacity),
                    ((64 << 10)...(1 << 30)).contains(tokenCache.maxBytes)
                else {
                    throw JWTError(
                        .invalidConfiguration,
                        "token cache bounds must be 1…1000000 tokens and 64 KiB…1 GiB"
                    )
                }
            }
            try claims.validate()
        }
    }

    private let keys: any JWTKeySource
    /// `keys`, when it can answer without suspending.
    private let immediateKeys: (any ImmediateKeySource)?
    private let configuration: Configuration
    /// Shared by every copy of this verifier.
    let tokenCache: VerifiedTokenCache?
    /// Shared by every copy of this verifier.
    private let headers = HeaderMemo()

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - keys: Where keys come from, usually a ``JWKSet``.
    ///   - configuration: The allow-list, limits and claims policy.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` when a value is out of range.
    public init(keys: some JWTKeySource, configuration: Configuration = Configuration()) throws(JWTError) {
        try configuration.validate()
        self.keys = keys
        self.immediateKeys = keys as? any ImmediateKeySource
        self.configuration = configuration
        self.tokenCache = configuration.tokenCache.map {
            VerifiedTokenCache(capacity: $0.capacity, maxBytes: $0.maxBytes)
        }
    }

    /// Verifies a compact JWS/JWT and checks its claims.
    ///
    /// Pass the token alone: strip the `Bearer ` scheme first. Nothing is trimmed here; whitespace
    /// makes a token malformed.
    ///
    /// - Parameter token: The compact serialization `header.payload.signature`.
    /// - Returns: The verified token.
    /// - Throws: ``JWTError``; its ``JWTError/code`` says why the token was refused.
    public func verify(_ token: String) async throws(JWTError) -> VerifiedJWT {
        // The size limit comes first even for the cache: hashing a huge input is work too.
        if let tokenCache, token.utf8.count <= configuration.maxTokenBytes, let hit = tokenCache.lookup(token) {
            do {
                try ClaimsValidation.checkTime(hit.token.claims, policy: configuration.claims)
            } catch {
                tokenCache.remove(token)
                throw error
            }
            let header = hit.token.header
            let current: JWTVerificationKey?
            if let immediate = immediateKeys?.keyWithoutWaiting(for: header.keyID, algorithm: header.algorithm) {
                current = immediate
            } else {
                current = try? await keys.key(for: header.keyID, algorithm: header.algorithm)
            }
            if let current, current === hit.key { return hit.token }
            // The key left the set (or its kid now names another key): verify from scratch.
            tokenCache.remove(token)
        }

        // Usually the key is at hand: then the whole verification is one synchronous pass over the
        // token's bytes, with the signature and payload decoded into temporary storage.
        if let immediateKeys {
            let verified = try withParsed(token) { parsed throws(JWTError) -> (VerifiedJWT, JWTVerificationKey)? in
                guard let key = immediateKeys.keyWithoutWaiting(for: parsed.header.keyID, algorithm: parsed.algorithm)
                else { return nil }
                return (try finish(parsed, with: key), key)
            }
            if let (verified, key) = verified {
                tokenCache?.insert(token, verified: verified, key: key)
                return verified
            }
        }
        // The key lookup may suspend: the token is parsed, and refused if it is malformed, before
        // the lookup, and parsed again after it (the header from the memo), so that nothing decoded
        // has to be kept across the suspension.
        let (keyID, algorithm) = try withParsed(token) { parsed throws(JWTError) in
            (parsed.header.keyID, parsed.algorithm)
        }
        let key = try await keys.key(for: keyID, algorithm: algorithm)
        let verified = try withParsed(token) { parsed throws(JWTError) in try finish(parsed, with: key) }
        tokenCache?.insert(token, verified: verified, key: key)
        return verified
    }

    /// Parses `token` and runs `body` on the result while the token's bytes are at hand: the size
    /// limit, the layout, the header, the algorithm's place on the allow-list, the payload and the
    /// signature as strict base64url (decoded into temporary storage, on the stack when small), and
    /// the `kid` when one is required, in that order.
    private func withParsed<Result>(
        _ token: String,
        _ body: (borrowing ParsedToken) throws(JWTError) -> Result
    ) throws(JWTError) -> Result {
        try withUTF8Bytes(of: token) { bytes throws(JWTError) -> Result in
            let layout = try CompactJWS.Layout(bytes, maxBytes: configuration.maxTokenBytes)
            let parsedHeader = try headers.header(of: layout.header(of: bytes)) { segment throws(JWTError) in
                try CompactJWS.withDecoded(segment, "header") { decoded throws(JWTError) in
                    try JOSEHeader(decoded: decoded)
                }
            }
            let algorithm = try allowedAlgorithm(parsedHeader.algorithm)
            return try CompactJWS.withDecoded(layout.payload(of: bytes), "payload") { payload throws(JWTError) in
                try CompactJWS.withDecoded(layout.signature(of: bytes), "signature") { signature throws(JWTError) in
                    if configuration.requiresKeyID, parsedHeader.header.keyID == nil {
                        throw JWTError(.unknownKey, "token has no kid")
                    }
                    return try body(
                        ParsedToken(
                            token: token,
                            bytes: bytes,
                            layout: layout,
                            parsedHeader: parsedHeader,
                            algorithm: algorithm,
                            payload: payload,
                            signature: signature
                        )
                    )
                }
            }
        }
    }

    /// Once the key is known: the key's fit, the signature, then the payload and its claims.
    private func finish(_ parsed: borrowing ParsedToken, with key: JWTVerificationKey) throws(JWTError)
        -> VerifiedJWT
    {
        guard key.permits(parsed.algorithm) else {
            throw JWTError(.keyMismatch, "the key named by kid cannot verify \(parsed.algorithm.name)")
        }
        try key.verify(signature: parsed.signature, over: parsed.layout.signingInput(of: parsed.bytes))
        // The signature holds: only now is the payload read.
        let claims = try ClaimsValidation.validate(parsed.payload, header: parsed.header, policy: configuration.claims)
        return VerifiedJWT(
            header: VerifiedJWT.Header(
                algorithm: parsed.algorithm,
                keyID: parsed.header.keyID,
                type: parsed.header.type
            ),
            claims: claims,
            token: parsed.token,
            payloadSegment: (parsed.layout.firstDot + 1)..<parsed.layout.secondDot
        )
    }

    /// A parsed token, valid only inside ``withParsed(_:_:)``'s body: the buffers point into the
    /// token's bytes and into temporary storage.
    private struct ParsedToken: ~Copyable {
        let token: String
        let bytes: UnsafeBufferPointer<UInt8>
        let layout: CompactJWS.Layout
        /// The header by reference, as the memo holds it: a copy of the value is four retains.
        let parsedHeader: HeaderMemo.Parsed
        let algorithm: JWTAlgorithm
        let payload: UnsafeBufferPointer<UInt8>
        let signature: UnsafeBufferPointer<UInt8>

        var header: JOSEHeader { parsedHeader.header }
    }

    private func allowedAlgorithm(_ algorithm: JWTAlgorithm?) throws(JWTError) -> JWTAlgorithm {
        guard let algorithm else {
            throw JWTError(.unsupportedAlgorithm, "alg is not one of ES256, EdDSA, Ed25519")
        }
        guard configuration.algorithms.contains(algorithm) else {
            throw JWTError(.algorithmNotAllowed, "alg \(algorithm.name) is not allowed by this verifier")
        }
        return algorithm
    }
}
