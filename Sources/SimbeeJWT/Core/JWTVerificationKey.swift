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
    /// The public key as the JWK gave it: P-256 `x‖y`, or the Ed25519 `x`.
    let publicKeyBytes: [UInt8]
    /// What checks signatures with this key (`Crypto/`).
    let signatureCheck: any SignatureCheck

    init(
        keyID: String?,
        algorithm: JWTAlgorithm?,
        kind: Kind,
        publicKeyBytes: [UInt8],
        signatureCheck: any SignatureCheck
    ) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.kind = kind
        self.publicKeyBytes = publicKeyBytes
        self.signatureCheck = signatureCheck
    }

    /// Whether `other` was imported from the same key: the same `kid` (byte for byte), `alg`, type
    /// and public key.
    func isSameKey(as other: JWTVerificationKey) -> Bool {
        kind == other.kind && algorithm == other.algorithm && publicKeyBytes == other.publicKeyBytes
            && keyID.map { other.keyID?.isExactly($0) == true } ?? (other.keyID == nil)
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
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidSignature`` when the signature is malformed
    ///   or does not verify.
    func verify(signature: Span<UInt8>, over message: Span<UInt8>) throws(JWTError) {
        try signatureCheck.verify(signature: signature, over: message)
    }
}

/// A signature check with one public key: the seam between the key vocabulary and `Crypto/`,
/// which alone implements it.
protocol SignatureCheck: Sendable {
    /// Verifies `signature` over `message`.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidSignature`` when the signature is malformed
    ///   or does not verify.
    func verify(signature: Span<UInt8>, over message: Span<UInt8>) throws(JWTError)
}
