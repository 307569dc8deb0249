@_spi(Testing) import SimbeeJWT
import SimbeeJWTTesting

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Properties of the whole verifier, run against the fixture key set
/// (`Fixtures/jwks/simbee.jwks.json`) with the clock pinned at the manifest's `now`, its issuer and
/// its audience, so that the fixture tokens verify and mutations of them reach every stage.
///
/// The input is used twice: as a token, and as the payload of a token signed with the fixture key
/// `ed25519-a` (only when it is a strict JSON object, or for one input length in sixteen), so that
/// fuzzed claims get past the signature.
/// - a refusal is a `JWTError` with a token code (never a configuration or key-set code);
/// - the verified-token cache changes nothing: a verifier with it agrees with one without it, on
///   the first presentation and on the repeat;
/// - the header memo changes nothing: the shared verifier, which has seen the earlier inputs,
///   agrees with a new one;
/// - a verified token's payload, `alg`, `kid` and `typ` are the token's; its claims meet the
///   policy, read independently from the payload JSON;
/// - a verifier allowing only the token's algorithm agrees, one allowing only the others refuses it
///   with `algorithm_not_allowed`;
/// - flipping a bit of the signing input makes it fail; the ES256 twin signature `(r, n − s)`
///   verifies to the same claims (ECDSA malleability, see the README), the Ed25519 `S + L` does not;
/// - moving the clock past `exp` + leeway refuses it as `expired`, before `nbf` − leeway as
///   `not_yet_valid`;
/// - a token carrying a valid signature is never refused for its signature, key or algorithm: only
///   its payload (`malformed`) or its claims can fail it.
enum VerifyChecks {
    static func run(_ input: [UInt8]) async throws(PropertyViolation) -> Bool {
        let context = try Context.shared.get()
        let asToken = try await checkToken(String(decoding: input, as: UTF8.self), context)
        let isObject: Bool
        if case .success(.object) = JSONChecks.read(input, limits: JOSEHeader.jsonLimits) {
            isObject = true
        } else {
            isObject = false
        }
        guard isObject || input.count % 16 == 0 else { return asToken }
        let asPayload = try await checkSignedPayload(input, isObject: isObject, context)
        return asToken || asPayload
    }

    /// The fixed key set, verifiers and signer, built once.
    struct Context: Sendable {
        static let shared: Result<Context, PropertyViolation> = Result { () throws(PropertyViolation) in try Context() }

        let keys: JWKSet
        let manifest: FuzzFixtures.Manifest
        let uncached: JWTVerifier
        let cached: JWTVerifier
        /// With the token cache admitting a token on its second verification, as the tool's does.
        let cachedOnSecond: JWTVerifier
        /// The test-only Ed25519 key `Fixtures/keys/ed25519-a.pem` (published test material), which
        /// puts fuzzed claims behind a valid signature so they reach claims validation.
        let signer: TestSigningKey
        static let leeway: Double = 60
        /// Codes only configuration and key-set loading use.
        static let nonTokenCodes: [JWTError.Code] = [.invalidKeySet, .invalidConfiguration, .jwksUnavailable]
        /// The header of the tokens this check signs.
        static let signedHeader = Base64URL.encode(Array(#"{"alg":"EdDSA","kid":"ed25519-a","typ":"JWT"}"#.utf8))

        init() throws(PropertyViolation) {
            do {
                keys = try JWKSet(json: try FuzzFixtures.bytes("Fixtures/jwks/simbee.jwks.json"))
            } catch {
                throw PropertyViolation("the fixture key set does not import: \(error)")
            }
            manifest = try FuzzFixtures.manifest()
            let pem = try FuzzFixtures.bytes("Fixtures/keys/ed25519-a.pem")
            do {
                signer = try TestSigningKey(
                    pkcs8PEM: String(decoding: pem, as: UTF8.self),
                    algorithm: .edDSA,
                    keyID: "ed25519-a"
                )
            } catch {
                throw PropertyViolation("the fixture Ed25519 key does not load: \(error)")
            }
            uncached = try Self.verifier(keys, manifest, algorithms: JWTAlgorithm.allSupported, at: manifest.now)
            cached = try Self.verifier(
                keys,
                manifest,
                algorithms: JWTAlgorithm.allSupported,
                at: manifest.now,
                cache: .init()
            )
            var admitsOnSecond = JWTVerifier.Configuration.TokenCache()
            admitsOnSecond.admission = .secondVerification
            cachedOnSecond = try Self.verifier(
                keys,
                manifest,
                algorithms: JWTAlgorithm.allSupported,
                at: manifest.now,
                cache: admitsOnSecond
            )
        }

        static func verifier(
            _ keys: JWKSet,
            _ manifest: FuzzFixtures.Manifest,
            algorithms: [JWTAlgorithm],
            at now: Double,
            cache: JWTVerifier.Configuration.TokenCache? = nil
        ) throws(PropertyViolation) -> JWTVerifier {
            var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
            let date = Date(timeIntervalSince1970: now)
            claims.clock = { date }
            do {
                return try JWTVerifier(
                    keys: keys,
                    configuration: .init(algorithms: algorithms, claims: claims, tokenCache: cache)
                )
            } catch {
                throw PropertyViolation("the fuzz verifier configuration is refused: \(error)")
            }
        }

        func verifier(algorithms: [JWTAlgorithm] = JWTAlgorithm.allSupported, at now: Double? = nil)
            throws(PropertyViolation) -> JWTVerifier
        {
            try Self.verifier(keys, manifest, algorithms: algorithms, at: now ?? manifest.now)
        }
    }

    private static func verify(_ token: String, with verifier: JWTVerifier) async -> Result<VerifiedJWT, JWTError> {
        do {
            return .success(try await verifier.verify(token))
        } catch {
            return .failure(error)
        }
    }

    private static func same(_ lhs: Result<VerifiedJWT, JWTError>, _ rhs: Result<VerifiedJWT, JWTError>) -> Bool {
        switch (lhs, rhs) {
        case (.success(let left), .success(let right)):
            left.header == right.header && left.claims == right.claims && left.payload == right.payload
        case (.failure(let left), .failure(let right)): left.code == right.code
        default: false
        }
    }

    /// - Returns: Whether the token verified.
    private static func checkToken(_ token: String, _ context: Context) async throws(PropertyViolation) -> Bool {
        let outcome = await verify(token, with: context.uncached)
        if case .failure(let error) = outcome {
            try require(!Context.nonTokenCodes.contains(error.code), "a token was refused with \(error.code)")
        }
        let fresh = await verify(token, with: try context.verifier())
        try require(same(fresh, outcome), "a new verifier disagrees with one that has seen earlier tokens")
        let first = await verify(token, with: context.cached)
        try require(same(first, outcome), "the verifier with a token cache disagrees with the one without")
        let repeated = await verify(token, with: context.cached)
        try require(same(repeated, outcome), "a repeat from the token cache differs from the first verification")
        // Admitted on the second verification: a token that verifies is checked in full twice and
        // answered from the cache the third time; a refused one is checked in full every time.
        for sight in ["first", "second", "third"] {
            let result = await verify(token, with: context.cachedOnSecond)
            try require(
                same(result, outcome),
                "the verifier admitting on the second verification disagrees on the \(sight) sight"
            )
        }

        guard case .success(let verified) = outcome else { return false }
        try await checkVerified(verified, token, context)
        return true
    }

    private static func checkVerified(_ verified: VerifiedJWT, _ token: String, _ context: Context)
        async throws(PropertyViolation)
    {
        let bytes = Array(token.utf8)
        guard let jws = try? CompactJWS(token, maxBytes: CompactJWSChecks.maxBytes),
            let header = try? JOSEHeader(decoded: jws.header)
        else { throw PropertyViolation("a verified token does not parse") }
        try require(verified.payload == jws.payload, "the verified payload is not the token's")
        try require(verified.header.algorithm.name.utf8.elementsEqual(header.algorithmName.utf8), "alg differs")
        try require(verified.header.keyID == header.keyID && verified.header.type == header.type, "kid/typ differ")
        try require(
            verified.header.keyID.map { context.keys.keyIDs.contains($0) } == true,
            "verified with no known kid"
        )

        // The claims, read from the payload JSON without the library's claims code.
        guard case .success(.object(let payload)) = JSONChecks.read(verified.payload) else {
            throw PropertyViolation("a verified payload is not a JSON object")
        }
        let now = context.manifest.now
        guard case .string(let issuer)? = JWKSetChecks.member(payload, "iss"),
            issuer.utf8.elementsEqual(context.manifest.issuer.utf8)
        else { throw PropertyViolation("a verified token does not have the configured iss") }
        let audience = context.manifest.audience.utf8
        switch JWKSetChecks.member(payload, "aud") {
        case .string(let aud)? where aud.utf8.elementsEqual(audience): break
        case .array(let auds)? where auds.contains(where: { $0.stringValue?.utf8.elementsEqual(audience) == true }):
            break
        default: throw PropertyViolation("a verified token does not have the configured aud")
        }
        guard case .number(let exp)? = JWKSetChecks.member(payload, "exp"), now < exp.value + Context.leeway else {
            throw PropertyViolation("a verified token has no exp, or an exp that has passed")
        }
        var notBefore: Double?
        switch JWKSetChecks.member(payload, "nbf") {
        case nil: break
        case .number(let nbf)? where now + Context.leeway >= nbf.value: notBefore = nbf.value
        default: throw PropertyViolation("a verified token has an nbf that is not a number in the past")
        }
        try require(verified.claims.issuer == issuer, "claims.issuer is not the payload's iss")

        // Algorithm allow-list.
        let algorithm = verified.header.algorithm
        let only = await verify(token, with: try context.verifier(algorithms: [algorithm]))
        try require(same(only, .success(verified)), "a verifier allowing only \(algorithm) disagrees")
        let others = JWTAlgorithm.allSupported.filter { $0 != algorithm }
        guard case .failure(let error) = await verify(token, with: try context.verifier(algorithms: others)),
            error.code == .algorithmNotAllowed
        else {
            throw PropertyViolation("a verifier not allowing \(algorithm) did not refuse it as algorithm_not_allowed")
        }

        // The signature covers every byte of the signing input.
        let secondDot = bytes.lastIndex(of: UInt8(ascii: "."))!
        var flipped = bytes
        flipped[bytes.reduce(0) { $0 &+ Int($1) } % secondDot] ^= 0x01
        if case .success = await verify(String(decoding: flipped, as: UTF8.self), with: context.uncached) {
            throw PropertyViolation("a token with a flipped signing-input bit still verifies")
        }

        // The other signature for the same signing input.
        let signingInput = String(decoding: bytes[..<secondDot], as: UTF8.self)
        guard let signature = try? Base64URL.decode(bytes[(secondDot + 1)...]), signature.count == 64 else {
            throw PropertyViolation("a verified token's signature is not 64 bytes")
        }
        if algorithm == .es256 {
            let s = Array(signature[32...])
            let twin = Array(signature[..<32]) + ByteMath.subtractBigEndian(ScalarMath.p256OrderBigEndian, s)
            let outcome = await verify(signingInput + "." + Base64URL.encode(twin), with: context.uncached)
            try require(
                same(outcome, .success(verified)),
                "the ES256 twin (r, n - s) does not verify to the same token"
            )
        } else {
            let twin =
                Array(signature[..<32]) + ByteMath.addLittleEndian(Array(signature[32...]), ScalarMath.ed25519Order)
            guard
                case .failure(let error) = await verify(
                    signingInput + "." + Base64URL.encode(twin),
                    with: context.uncached
                ),
                error.code == .invalidSignature
            else { throw PropertyViolation("an Ed25519 signature with S + L was not refused as invalid_signature") }
        }

        // Time: the same token at other instants.
        let late = await verify(token, with: try context.verifier(at: exp.value + Context.leeway + 1))
        guard case .failure(let lateError) = late, lateError.code == .expired else {
            throw PropertyViolation("the token is not expired past exp + leeway")
        }
        if let notBefore {
            let early = await verify(token, with: try context.verifier(at: notBefore - Context.leeway - 1))
            guard case .failure(let earlyError) = early, earlyError.code == .notYetValid else {
                throw PropertyViolation("the token is valid before nbf - leeway")
            }
        }
    }

    /// Signs `payload` with the fixture key and verifies the result.
    private static func checkSignedPayload(_ payload: [UInt8], isObject: Bool, _ context: Context)
        async throws(PropertyViolation) -> Bool
    {
        let signingInput = Context.signedHeader + "." + Base64URL.encode(payload)
        let signature: [UInt8]
        do {
            signature = try context.signer.sign(signingInput)
        } catch {
            throw PropertyViolation("OpenSSL could not sign with the fixture Ed25519 key: \(error)")
        }
        let token = signingInput + "." + Base64URL.encode(signature)
        let outcome = await verify(token, with: context.uncached)
        switch outcome {
        case .failure(let error) where token.utf8.count > JWTVerifier.Configuration.defaultMaxTokenBytes:
            try require(error.code == .tokenTooLarge, "an oversized signed token was refused with \(error.code)")
            return false
        case .failure(let error) where !isObject:
            try require(error.code == .malformed, "a signed non-object payload was refused with \(error.code)")
            return false
        case .failure(let error):
            let claimsCodes: [JWTError.Code] = [
                .expired, .notYetValid, .issuerMismatch, .audienceMismatch, .missingClaim, .invalidClaim,
            ]
            try require(claimsCodes.contains(error.code), "a validly signed token was refused with \(error.code)")
        case .success(let verified):
            try require(isObject, "a signed non-object payload verified")
            try require(verified.payload == payload, "the verified payload is not the signed one")
        }
        return try await checkToken(token, context)
    }
}

/// The group orders the signature twins are built from (the standards' constants, nothing more).
enum ScalarMath {
    /// The order n of P-256 (FIPS 186-4 D.1.2.3, SEC 2 §2.4.2), big-endian.
    static let p256OrderBigEndian: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]
    /// The order L of the Ed25519 base point (RFC 8032 §5.1), little-endian.
    static let ed25519Order: [UInt8] = [
        0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]
}
