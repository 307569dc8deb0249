import CBenchOpenSSL
import Foundation
import JWTKit
import Logging
@_spi(Testing) @_spi(Benchmarks) import SimbeeJWT

/// Everything the benchmarks measure, set up once: the fixture tokens and keys, SimbeeJWT
/// verifiers (static set, remote JWKS cache hit, verified-token cache), jwt-kit 5.8.0 with
/// equivalent claim checks, and the raw OpenSSL floor on the same signatures and keys.
public enum Bench {
    /// Operations per benchmark sample (results are divided by it).
    public static let batch = 100

    /// The fixture clock: tokens in `Fixtures/tokens/manifest.json` are valid at this instant.
    public static let now: Double = 1_796_000_000
    public static let issuer = "https://api.simbee.io"
    public static let audience = "cl_fixture"

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ path: String) -> Data {
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent(path)) else {
            fatalError("missing fixture \(path) under \(fixtures.path)")
        }
        return data
    }

    /// A fixture token by manifest name.
    public static func token(_ name: String) -> String {
        struct Manifest: Decodable {
            struct Case: Decodable { var name: String; var token: String }
            var cases: [Case]
        }
        let manifest = try! JSONDecoder().decode(Manifest.self, from: fixture("tokens/manifest.json"))
        return manifest.cases.first { $0.name == name }!.token
    }

    /// `es256-valid` (kid es256-a) and `eddsa-valid` (kid ed25519-a): Simbee-shaped tokens.
    public static let es256Token = token("es256-valid")
    public static let eddsaToken = token("eddsa-valid")

    /// The fixture JWK Set document (4 usable keys and 11 deliberately unusable ones).
    public static let jwksDocument = Array(fixture("jwks/simbee.jwks.json"))

    // MARK: SimbeeJWT

    static func policy() -> ClaimsPolicy {
        var claims = ClaimsPolicy(issuer: issuer, audiences: [audience], requiredClaims: ["sub"])
        let pinned = Date(timeIntervalSince1970: now)
        claims.clock = { pinned }
        return claims
    }

    /// A verifier over the static fixture set; `tokenCache` off unless asked for, so that every
    /// call does the whole verification; with `countingOutcomes`, each outcome is counted in an
    /// ``AtomicCounters`` backend.
    public static func staticVerifier(tokenCache: Bool = false, countingOutcomes: Bool = false) -> JWTVerifier {
        let keys = try! JWKSet(json: jwksDocument)
        return try! JWTVerifier(
            keys: keys,
            configuration: .init(claims: policy(), tokenCache: tokenCache ? .init() : nil),
            metricsFactory: countingOutcomes ? AtomicCounters() : nil
        )
    }

    /// Serves the fixture set from memory: the benchmark measures cache hits, not HTTP.
    struct InMemoryFetcher: JWKSFetcher {
        func fetch(_ request: JWKSFetchRequest) async throws -> JWKSFetchResponse {
            JWKSFetchResponse(status: 200, body: Bench.jwksDocument, cacheControl: "max-age=86400")
        }
    }

    /// A verifier over a `RemoteJWKS` whose snapshot is loaded (every lookup is a cache hit).
    public static func remoteVerifier() async -> JWTVerifier {
        let keys = try! RemoteJWKS(
            url: "https://jwks.bench.invalid/jwks.json",
            fetcher: InMemoryFetcher(),
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        )
        let verifier = try! JWTVerifier(keys: keys, configuration: .init(claims: policy(), tokenCache: nil))
        _ = try! await verifier.verify(es256Token)
        return verifier
    }

    // MARK: jwt-kit 5.8.0

    /// The claims jwt-kit checks, equivalent to SimbeeJWT's policy: exp (at the fixture clock),
    /// iss, aud and sub.
    public struct SimbeePayload: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim?
        var jti: IDClaim?
        var scopes: [String]?

        public func verify(using algorithm: some JWTKit.JWTAlgorithm) async throws {
            try exp.verifyNotExpired(currentDate: Date(timeIntervalSince1970: Bench.now))
            try aud.verifyIntendedAudience(includes: Bench.audience)
            guard iss.value == Bench.issuer else { throw JWTKit.JWTError.claimVerificationFailure(failedClaim: iss, reason: "issuer") }
            guard !sub.value.isEmpty else { throw JWTKit.JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub") }
        }
    }

    /// A jwt-kit key collection holding es256-a and ed25519-a from the fixture set.
    public static func jwtKitKeys() async -> JWTKeyCollection {
        let document = try! JSONSerialization.jsonObject(with: Data(jwksDocument)) as! [String: Any]
        let wanted = (document["keys"] as! [[String: Any]]).filter { ["es256-a", "ed25519-a"].contains($0["kid"] as? String) }
        let json = String(decoding: try! JSONSerialization.data(withJSONObject: ["keys": wanted]), as: UTF8.self)
        return try! await JWTKeyCollection().add(jwksJSON: json)
    }

    // MARK: OpenSSL floor

    /// The floor: the cheapest OpenSSL 3.0 EVP verification of the same signature with the same
    /// key, and nothing else (measured variants: fresh `EVP_MD_CTX` + `EVP_DigestVerify`, fresh or
    /// duplicated `EVP_PKEY_CTX`, reused context; reused was cheapest; SHA-256 fetched once and
    /// hashed on a reused `EVP_MD_CTX` rather than `SHA256()`, which fetches it on every call).
    public final class OpenSSLFloor: @unchecked Sendable {
        // @unchecked: the prepared contexts are only read (duplicated) when two tasks share it;
        // the reused ES256 digest context and Ed25519 context serve single-task benchmarks only.
        private let es256Context: OpaquePointer
        private let es256DigestContext: OpaquePointer
        private let sha256: OpaquePointer
        private let ed25519Context: OpaquePointer
        private let ed25519Key: OpaquePointer
        private let es256SigningInput: [UInt8]
        private let es256DER: [UInt8]
        private let eddsaSigningInput: [UInt8]
        private let eddsaSignature: [UInt8]

        public init() {
            let es256Key = Self.publicKey(pem: "keys/es256-a.pem")
            es256Context = EVP_PKEY_CTX_new_from_pkey(nil, es256Key, nil)!
            precondition(EVP_PKEY_verify_init(es256Context) == 1)
            es256DigestContext = EVP_MD_CTX_new()!
            sha256 = EVP_MD_fetch(nil, "SHA256", nil)!
            ed25519Key = Self.publicKey(pem: "keys/ed25519-a.pem")
            ed25519Context = EVP_MD_CTX_new()!

            (es256SigningInput, es256DER) = Self.split(Bench.es256Token, der: true)
            (eddsaSigningInput, eddsaSignature) = Self.split(Bench.eddsaToken, der: false)
            precondition(verifyES256() && verifyEd25519(), "floor signatures must verify")
        }

        /// SHA-256 of the signing input on a reused digest context, then ECDSA P-256 verification on
        /// a prepared context.
        public func verifyES256() -> Bool {
            verifyES256(on: es256Context, hashingOn: es256DigestContext)
        }

        /// The same ES256 verification on contexts made for this call (the verification context
        /// duplicated from the prepared one), so that two threads can run it at once (the scaling
        /// floor).
        public func verifyES256Fresh() -> Bool {
            let context = EVP_PKEY_CTX_dup(es256Context)!
            let digestContext = EVP_MD_CTX_new()!
            defer {
                EVP_PKEY_CTX_free(context)
                EVP_MD_CTX_free(digestContext)
            }
            return verifyES256(on: context, hashingOn: digestContext)
        }

        /// The digest is hashed with SHA-256 fetched once, and lives on the stack. Measured per call
        /// against `SHA256()`, which fetches the digest by name every time: about 2.8k instructions
        /// and 2 mallocs fewer; a Swift array for the digest would add an allocation and a run-time
        /// metadata lookup that belong to no verifier.
        private func verifyES256(on context: OpaquePointer, hashingOn digestContext: OpaquePointer) -> Bool {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
                EVP_DigestInit_ex2(digestContext, sha256, nil) == 1
                    && EVP_DigestUpdate(digestContext, es256SigningInput, es256SigningInput.count) == 1
                    && EVP_DigestFinal_ex(digestContext, digest.baseAddress, nil) == 1
                    && EVP_PKEY_verify(context, es256DER, es256DER.count, digest.baseAddress, 32) == 1
            }
        }

        /// Ed25519 one-shot verification on a reused `EVP_MD_CTX`.
        public func verifyEd25519() -> Bool {
            EVP_DigestVerifyInit(ed25519Context, nil, nil, nil, ed25519Key) == 1
                && EVP_DigestVerify(
                    ed25519Context,
                    eddsaSignature,
                    eddsaSignature.count,
                    eddsaSigningInput,
                    eddsaSigningInput.count
                ) == 1
        }

        /// A public-only EVP_PKEY from a fixture private key PEM.
        private static func publicKey(pem path: String) -> OpaquePointer {
            let text = Array(Bench.fixture(path))
            let bio = text.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }!
            defer { BIO_free(bio) }
            let privateKey = PEM_read_bio_PrivateKey(bio, nil, nil, nil)!
            defer { EVP_PKEY_free(privateKey) }
            var der: UnsafeMutablePointer<UInt8>?
            let length = i2d_PUBKEY(privateKey, &der)
            defer { CRYPTO_free(der, #file, #line) }
            var cursor = UnsafePointer(der)
            return d2i_PUBKEY(nil, &cursor, Int(length))!
        }

        /// The signing input and the signature (converted once to DER for ECDSA).
        private static func split(_ token: String, der: Bool) -> ([UInt8], [UInt8]) {
            let parts = token.split(separator: ".")
            let input = Array("\(parts[0]).\(parts[1])".utf8)
            var base64 = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let raw = Array(Data(base64Encoded: base64)!)
            guard der else { return (input, raw) }
            func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
                var value = Array(bytes.drop { $0 == 0 })
                if value.first.map({ $0 & 0x80 != 0 }) ?? true { value.insert(0, at: 0) }
                return [0x02, UInt8(value.count)] + value
            }
            let body = integer(raw[0..<32]) + integer(raw[32..<64])
            return (input, [0x30, UInt8(body.count)] + body)
        }
    }

    /// Strict parse of header and claims without a signature check.
    public static func parseOnly(_ token: String) -> Int {
        try! BenchmarkHooks.parseHeaderAndClaims(token)
    }

    /// Strict base64url decode.
    public static func decodeBase64URL(_ text: String) -> Int {
        BenchmarkHooks.decodeBase64URL(text)
    }

    /// Imports the fixture JWK Set.
    public static func importKeySet() -> Int {
        try! JWKSet(json: jwksDocument).count
    }
}
