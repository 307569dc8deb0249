/// A public key imported from a JWK and screened for use with ES256 or EdDSA.
///
/// Only JWK import creates one (``JWKSet`` or ``init(jwk:)``), so every instance has passed the
/// checks for its type: a P-256 point on the curve, or an Ed25519 key that is canonical, decodable
/// and not of small order, with `use`/`key_ops` permitting verification. Instances are immutable and
/// safe to share between tasks.
public final class JWTVerificationKey: Sendable {
    enum Kind: Sendable, Equatable {
        case p256
        case ed25519
    }

    /// The JWK's `kid`, if it has one.
    public let keyID: String?
    /// The JWK's `alg`, if it has one. A token must then name exactly this algorithm.
    public let algorithm: JWTAlgorithm?

    let kind: Kind
    let publicKey: OpenSSLPublicKey

    init(keyID: String?, algorithm: JWTAlgorithm?, kind: Kind, publicKey: OpenSSLPublicKey) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.kind = kind
        self.publicKey = publicKey
    }

    /// Imports one public JWK (RFC 7517) of type EC P-256 or OKP Ed25519.
    ///
    /// - Parameter jwk: The JWK as a UTF-8 JSON object.
    /// - Throws: ``JWTError`` with code ``JWTError/Code/invalidKeySet`` when the JWK is malformed,
    ///   unsupported, carries private key material or does not allow verification; the message says why.
    public convenience init(jwk: some Collection<UInt8>) throws(JWTError) {
        let value: JSONValue
        do {
            value = try StrictJSONReader.read(jwk, limits: .init(maxDepth: 8, maxBytes: 64 * 1024))
        } catch {
            throw JWTError(.invalidKeySet, "JWK is not a strict JSON object")
        }
        guard let object = value.objectValue else { throw JWTError(.invalidKeySet, "JWK is not a JSON object") }
        let imported: JWTVerificationKey
        do {
            imported = try JWKImport.importKey(object)
        } catch {
            throw JWTError(.invalidKeySet, "JWK is unusable: \(error.reason)")
        }
        self.init(
            keyID: imported.keyID,
            algorithm: imported.algorithm,
            kind: imported.kind,
            publicKey: imported.publicKey
        )
    }

    /// Whether this key may verify a token whose header names `algorithm`: ES256 needs a P-256 key,
    /// EdDSA and Ed25519 an Ed25519 key, and a JWK `alg` must equal the header's exactly.
    func permits(_ headerAlgorithm: JWTAlgorithm) -> Bool {
        if let algorithm, algorithm != headerAlgorithm { return false }
        switch (kind, headerAlgorithm.backing) {
        case (.p256, .es256), (.ed25519, .edDSA), (.ed25519, .ed25519): return true
        default: return false
        }
    }

    /// Verifies `signature` over `message`.
    ///
    /// - Returns: nothing; throws when the signature is malformed or does not verify.
    func verify(signature: Span<UInt8>, over message: Span<UInt8>) throws(JWTError) {
        switch kind {
        case .p256:
            do {
                try ES256Signature.verify(signature, over: message, with: publicKey)
            } catch .wrongLength {
                throw JWTError(.invalidSignature, "ES256 signature must be 64 bytes (r‖s), got \(signature.count)")
            } catch .scalarOutOfRange {
                throw JWTError(.invalidSignature, "ES256 signature has r or s outside [1, n−1]")
            } catch {
                throw JWTError(.invalidSignature, "signature does not verify")
            }
        case .ed25519:
            do {
                try Ed25519Signature.verify(signature, over: message, with: publicKey)
            } catch .wrongLength {
                throw JWTError(.invalidSignature, "Ed25519 signature must be 64 bytes, got \(signature.count)")
            } catch .scalarNotReduced {
                throw JWTError(.invalidSignature, "Ed25519 signature has S ≥ L")
            } catch {
                throw JWTError(.invalidSignature, "signature does not verify")
            }
        }
    }
}
