public import CoreMetrics

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
/// 5. only then the payload, as strict JSON, and the ``ClaimsPolicy``. (A verifier of several
///    issuers reads the payload's `iss` before step 3, to pick the key source; see
///    ``init(issuers:configuration:metricsFactory:)``.)
///
/// The key is taken from ``JWTKeySource/cachedKey(for:algorithm:)`` when the source has it at hand,
/// so the usual verification never suspends; otherwise ``JWTKeySource/key(for:algorithm:)`` is awaited.
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
    /// Values are checked when the verifier is created: ``JWTVerifier/init(keys:configuration:metricsFactory:)``
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
        /// ``ClaimsPolicy/init(issuer:audiences:skipsAudienceCheck:requiresExpiration:leeway:requiredClaims:acceptedTypes:)``:
        /// `exp` required, 60 seconds of leeway, issuer not checked (unless the key source is a
        /// ``RemoteJWKS`` made from an issuer), tokens with `aud` refused.
        public var claims: ClaimsPolicy
        /// The verified-token cache, on by default; `nil` turns it off.
        ///
        /// Successful verifications are remembered by exact token bytes, so a token presented
        /// again skips parsing and the signature. Each hit still re-checks `exp` and `nbf` against
        /// the clock, runs the policy's ``ClaimsPolicy/rules`` again (a failure refuses the token
        /// and drops the entry) and confirms that the key source still returns the key that
        /// verified it.
        public var tokenCache: TokenCache?

        /// Bounds of the verified-token cache.
        public struct TokenCache: Sendable {
            /// The most tokens remembered (1 … 1,000,000), and no more than fit in ``maxBytes`` at
            /// 256 bytes each: the cache sets memory aside for that many entries when it is made.
            /// Default 10,000.
            public var capacity: Int = 10_000
            /// The most memory the remembered tokens may take, roughly (64 KiB … 1 GiB). Default 32 MiB.
            public var maxBytes: Int = 32 << 20
            /// Which verified tokens are remembered. Default ``Admission/firstVerification``.
            public var admission: Admission = .firstVerification

            /// The defaults: 10,000 tokens, 32 MiB, every verified token remembered.
            public init() {}

            /// Which verified tokens the cache remembers. A struct rather than an enum, so that a
            /// policy added later breaks no `switch` of yours.
            public struct Admission: Sendable, Hashable {
                enum Backing: Sendable, Hashable {
                    case firstVerification
                    case secondVerification
                }

                let backing: Backing

                /// Every token, from its first successful verification: the token's second
                /// presentation is answered from the cache. Suits a service whose clients reuse
                /// one token on many calls.
                public static let firstVerification = Admission(backing: .firstVerification)
                /// A token verified a second time while its first verification is still recalled
                /// (a record of one 8-byte hash per slot, as many slots as the capacity, rounded up
                /// to a power of two): the third presentation is the first answered from the cache.
                /// Tokens presented only once never take an entry, so a stream of mostly distinct
                /// tokens costs no cache memory and does not evict the tokens that do repeat.
                public static let secondVerification = Admission(backing: .secondVerification)
            }
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

        /// The configuration for Simbee tokens: issuer `https://api.simbee.io`; ES256 (API-key
        /// exchange tokens), and EdDSA or its fully specified name Ed25519 (session tokens); your
        /// client id as the audience; `sub` required.
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

    private let keys: KeyRouting
    private let configuration: Configuration
    /// Shared by every copy of this verifier.
    let tokenCache: VerifiedTokenCache?
    private let metrics: VerificationMetrics?

    /// Creates a verifier.
    ///
    /// When `keys` is a ``RemoteJWKS`` made from an issuer (``RemoteJWKS/issuer``) and the policy's
    /// ``ClaimsPolicy/issuer`` is `nil`, tokens must name that issuer in `iss`: the keys are its
    /// keys, and an issuer that signs for several tenants with one set tells them apart only by
    /// `iss` (RFC 8725 §3.8).
    ///
    /// - Parameters:
    ///   - keys: Where keys come from, usually a ``JWKSet`` or a ``RemoteJWKS``.
    ///   - configuration: The allow-list, limits and claims policy.
    ///   - metricsFactory: When given, every verification counts its outcome in
    ///     `simbee_jwt_verifications_total`, dimensioned by `result`: `ok`, or the refusal's
    ///     ``JWTError/Code/name``. Off by default.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` when a value is out of range.
    public init(
        keys: some JWTKeySource,
        configuration: Configuration = Configuration(),
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(JWTError) {
        var configuration = configuration
        if configuration.claims.issuer == nil, let issuer = (keys as? RemoteJWKS)?.issuer {
            configuration.claims.issuer = issuer
        }
        try self.init(routing: .single(keys), configuration: configuration, metricsFactory: metricsFactory)
    }

    /// Creates a verifier that accepts tokens from several issuers, each checked against its own
    /// key source. The token's `iss`, read from its payload before any key is looked up, picks the
    /// source; a token without `iss`, or from an issuer outside the set, is refused at once, with
    /// nothing fetched. Once the signature holds, the claims must name that very issuer.
    ///
    /// - Parameters:
    ///   - issuers: The accepted issuers and their keys; distinct, non-empty names.
    ///   - configuration: The allow-list, limits and claims policy; its ``ClaimsPolicy/issuer``
    ///     must be `nil`, as the issuers come from `issuers`.
    ///   - metricsFactory: When given, verification outcomes are counted; see
    ///     ``init(keys:configuration:metricsFactory:)``.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` for an empty or repeated
    ///   issuer, no issuer at all, a policy that names an issuer too, or a value out of range.
    public init(
        issuers: [TrustedIssuer],
        configuration: Configuration = Configuration(),
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(JWTError) {
        guard configuration.claims.issuer == nil else {
            throw JWTError(.invalidConfiguration, "the issuers come from `issuers`: leave ClaimsPolicy.issuer nil")
        }
        try self.init(
            routing: KeyRouting(issuers: issuers),
            configuration: configuration,
            metricsFactory: metricsFactory
        )
    }

    private init(
        routing: KeyRouting,
        configuration: Configuration,
        metricsFactory: (any MetricsFactory)?
    ) throws(JWTError) {
        try configuration.validate()
        self.keys = routing
        self.configuration = configuration
        self.tokenCache = configuration.tokenCache.map {
            VerifiedTokenCache(
                capacity: $0.capacity,
                maxBytes: $0.maxBytes,
                admitsOnSecondVerification: $0.admission == .secondVerification
            )
        }
        self.metrics = metricsFactory.map(VerificationMetrics.init)
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
        guard let metrics else { return try await verifyUncounted(token) }
        do {
            let verified = try await verifyUncounted(token)
            metrics.recordSuccess()
            return verified
        } catch {
            metrics.recordRefusal(error.code)
            throw error
        }
    }

    /// The verified-token cache, then a verification from scratch.
    private func verifyUncounted(_ token: String) async throws(JWTError) -> VerifiedJWT {
        // The size limit comes first even for the cache: hashing a huge input is work too.
        let cacheKey =
            tokenCache != nil && token.utf8.count <= configuration.maxTokenBytes ? VerifiedTokenCache.Key(token) : nil
        if let cacheKey, let remembered = try await rememberedVerification(of: cacheKey) { return remembered }
        let parsed = try parse(token)
        let key = try await key(for: parsed.header.keyID, algorithm: parsed.algorithm, issuer: parsed.issuer)
        let verified = try verify(parsed, with: key)
        if let cacheKey { tokenCache?.insert(cacheKey, verified: verified, key: key) }
        return verified
    }

    /// The verified-token cache, in front of the verification: a token verified before, whose
    /// `exp` and `nbf` still hold, which still satisfies the policy's own rules, and whose key source
    /// still returns the very key that verified it.
    ///
    /// - Returns: The remembered verification, or `nil` to verify the token from scratch.
    /// - Throws: ``JWTError`` when the remembered token has expired, is not valid yet or breaks a
    ///   rule (the entry is dropped).
    private func rememberedVerification(of token: VerifiedTokenCache.Key) async throws(JWTError) -> VerifiedJWT? {
        guard let tokenCache, let hit = tokenCache.lookup(token) else { return nil }
        do {
            try ClaimsValidation.checkTime(hit.token.claims, policy: configuration.claims)
            if !configuration.claims.rules.isEmpty {
                try ClaimsValidation.checkRules(hit.token.claims.document, policy: configuration.claims)
            }
        } catch {
            tokenCache.remove(token)
            throw error
        }
        let header = hit.token.header
        if let current = try? await key(
            for: header.keyID,
            algorithm: header.algorithm,
            issuer: hit.token.claims.issuer
        ),
            current === hit.key
        {
            return hit.token
        }
        // The key left the set (or its kid now names another key): verify from scratch.
        tokenCache.remove(token)
        return nil
    }

    /// The key for `keyID` from the source of `issuer` (the only source, for a single-source
    /// verifier, which never reads `issuer`): at once when the source has it at hand, otherwise
    /// awaited.
    private func key(
        for keyID: String?,
        algorithm: JWTAlgorithm,
        issuer: @autoclosure () -> String?
    ) async throws(JWTError) -> JWTVerificationKey {
        let source = try keys.source(for: issuer())
        if let key = source.cachedKey(for: keyID, algorithm: algorithm) { return key }
        return try await source.key(for: keyID, algorithm: algorithm)
    }

    /// A token split and decoded, its header read and judged, before any key is looked up. It owns
    /// the token and its decoded bytes, so it can be kept across the key lookup's `await`.
    private struct ParsedToken: Sendable {
        let token: String
        let layout: CompactJWS.Layout
        let header: JOSEHeader
        let algorithm: JWTAlgorithm
        let decoded: DecodedSegments
        /// When the verifier routes by issuer: the payload, read before the signature is checked to
        /// find its `iss` (trusted only once the claims confirm it); `nil` otherwise.
        let claimed: (issuer: String, payload: JSONDocument)?

        var issuer: String? { claimed?.issuer }
    }

    /// The size limit, the layout, the header, the algorithm's place on the allow-list, the payload
    /// and the signature as strict base64url, the `kid` when one is required, and for a verifier of
    /// several issuers the payload's `iss`, in that order.
    private func parse(_ token: String) throws(JWTError) -> ParsedToken {
        var token = token
        token.makeContiguousUTF8()  // already so for native strings; a bridged one is copied once
        let segments = token.utf8.span
        let layout = try CompactJWS.Layout(segments, maxBytes: configuration.maxTokenBytes)
        var decoded = DecodedSegments(for: layout)
        try decoded.decodeHeader(of: segments, layout)
        let header = try JOSEHeader(decoded: decoded.bytes, in: decoded.header)
        let algorithm = try allowedAlgorithm(header)
        try decoded.decodePayload(of: segments, layout)
        try decoded.decodeSignature(of: segments, layout)
        if configuration.requiresKeyID, header.keyID == nil {
            throw JWTError(.unknownKey, "token has no kid")
        }
        var claimed: (issuer: String, payload: JSONDocument)?
        if case .byIssuer = keys {
            claimed = try Self.claimedIssuer(decoded)
            _ = try keys.source(for: claimed?.issuer)  // an issuer outside the set is refused before any lookup
        }
        return ParsedToken(
            token: token,
            layout: layout,
            header: header,
            algorithm: algorithm,
            decoded: decoded,
            claimed: claimed
        )
    }

    /// The `iss` a payload claims, before anything about it is verified, and the payload document
    /// it was read from, which the claims are read from once the signature holds.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` when the payload is not a strict JSON
    ///   object, ``JWTError/Code/missingClaim`` without `iss`, ``JWTError/Code/invalidClaim`` when it
    ///   is not a string.
    private static func claimedIssuer(_ decoded: DecodedSegments) throws(JWTError)
        -> (issuer: String, payload: JSONDocument)
    {
        let document = try ClaimsValidation.payloadDocument(decoded.bytes, in: decoded.payload)
        guard let node = document.member("iss", of: document.root) else {
            throw JWTError(.missingClaim, "token has no iss")
        }
        guard let issuer = document.string(node) else { throw JWTError(.invalidClaim, "iss is not a string") }
        return (issuer, document)
    }

    /// Once the key is known: the key's fit, the signature, then the payload and its claims.
    private func verify(_ parsed: ParsedToken, with key: JWTVerificationKey) throws(JWTError) -> VerifiedJWT {
        guard key.permits(parsed.algorithm) else {
            throw JWTError(.keyMismatch, "the key named by kid cannot verify \(parsed.algorithm.name)")
        }
        let token = parsed.token.utf8.span
        let decoded = parsed.decoded.bytes.span
        try key.verify(
            signature: decoded.extracting(parsed.decoded.signature),
            over: token.extracting(parsed.layout.signingInput)
        )
        // The signature holds: only now is the payload read, and for a verifier of several issuers
        // the claims must name the one whose key verified it.
        var policy = configuration.claims
        if let issuer = parsed.issuer { policy.issuer = issuer }
        let payload: JSONDocument
        if let claimed = parsed.claimed {
            payload = claimed.payload
        } else {
            payload = try ClaimsValidation.payloadDocument(parsed.decoded.bytes, in: parsed.decoded.payload)
        }
        let claims = try ClaimsValidation.validate(document: payload, headerType: parsed.header.type, policy: policy)
        return VerifiedJWT(
            header: VerifiedJWT.Header(
                algorithm: parsed.algorithm,
                keyID: parsed.header.keyID,
                type: parsed.header.type
            ),
            claims: claims,
            token: parsed.token,
            payloadSegment: parsed.layout.payload
        )
    }

    private func allowedAlgorithm(_ header: JOSEHeader) throws(JWTError) -> JWTAlgorithm {
        guard let algorithm = header.algorithm else {
            throw JWTError(.unsupportedAlgorithm, "alg is not one of ES256, EdDSA, Ed25519")
        }
        guard configuration.algorithms.contains(algorithm) else {
            throw JWTError(.algorithmNotAllowed, "alg \(algorithm.name) is not allowed by this verifier")
        }
        return algorithm
    }
}
