/// Turns a JWK that passed ``JWKImport``'s checks into a ``JWTVerificationKey``, screening what only
/// cryptography can tell: a P-256 point on the curve, an Ed25519 encoding that is canonical,
/// decodable and not of small order.
enum PublicKeyImport {
    /// Imports one JWK object.
    static func key(from jwk: JSONObject) throws(JWKImport.Rejection) -> JWTVerificationKey {
        try key(for: JWKImport.check(jwk))
    }

    static func key(for jwk: JWKImport.Checked) throws(JWKImport.Rejection) -> JWTVerificationKey {
        let kind: JWTVerificationKey.Kind
        let signatureCheck: any SignatureCheck
        let publicKeyBytes: [UInt8]
        switch jwk.material {
        case .p256(let x, let y):
            publicKeyBytes = x + y
            guard let publicKey = try? OpenSSLPublicKey.p256(x: x, y: y) else {
                throw JWKImport.Rejection("EC point is not on P-256")
            }
            kind = .p256
            signatureCheck = ES256SignatureCheck(key: publicKey)
        case .ed25519(let x):
            publicKeyBytes = x
            do {
                try Ed25519PointCheck.check(x)
            } catch .nonCanonical {
                throw JWKImport.Rejection("Ed25519 key is not canonically encoded")
            } catch .smallOrder {
                throw JWKImport.Rejection("Ed25519 key is of small order")
            } catch {
                throw JWKImport.Rejection("Ed25519 key does not decode to a curve point")
            }
            guard let publicKey = try? OpenSSLPublicKey.ed25519(x) else {
                throw JWKImport.Rejection("OpenSSL refused the Ed25519 key")
            }
            kind = .ed25519
            signatureCheck = Ed25519SignatureCheck(key: publicKey)
        }
        let key = JWTVerificationKey(
            keyID: jwk.keyID,
            algorithm: jwk.algorithm,
            kind: kind,
            publicKeyBytes: publicKeyBytes,
            signatureCheck: signatureCheck
        )
        if let algorithm = jwk.algorithm, !key.permits(algorithm) {
            throw JWKImport.Rejection("alg \(algorithm.name) does not fit this key type")
        }
        return key
    }
}

extension JWTVerificationKey {
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
            imported = try PublicKeyImport.key(from: object)
        } catch {
            throw JWTError(.invalidKeySet, "JWK is unusable: \(error.reason)")
        }
        self.init(
            keyID: imported.keyID,
            algorithm: imported.algorithm,
            kind: imported.kind,
            publicKeyBytes: imported.publicKeyBytes,
            signatureCheck: imported.signatureCheck
        )
    }
}
