/// Turns one JWK object into a ``JWTVerificationKey``, or says why it cannot be used.
enum JWKImport {
    /// Why a JWK was skipped. The reason names members and types, never key bytes.
    struct Rejection: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    static func importKey(_ jwk: JSONObject) throws(Rejection) -> JWTVerificationKey {
        guard let ktyValue = jwk["kty"] else { throw Rejection("missing kty") }
        guard let kty = ktyValue.stringValue else { throw Rejection("kty is not a string") }

        var keyID: String?
        if let kidValue = jwk["kid"] {
            guard let kid = kidValue.stringValue else { throw Rejection("kid is not a string") }
            keyID = kid
        }

        for member in privateMembers where jwk[member] != nil {
            throw Rejection(
                kty.isExactly("oct")
                    ? "symmetric key (kty oct) cannot verify signatures" : "carries private key member \"\(member)\""
            )
        }

        if let use = jwk["use"] {
            guard use.stringValue?.isExactly("sig") == true else { throw Rejection("use is not \"sig\"") }
        }
        if let keyOps = jwk["key_ops"] {
            guard case .array(let operations) = keyOps else { throw Rejection("key_ops is not an array") }
            var names: Set<ExactText> = []
            for operation in operations {
                guard let name = operation.stringValue, names.insert(ExactText(name)).inserted else {
                    throw Rejection("key_ops holds a non-string or repeated value")
                }
            }
            guard names.contains(ExactText("verify")) else { throw Rejection("key_ops does not contain \"verify\"") }
        }

        var algorithm: JWTAlgorithm?
        if let algValue = jwk["alg"] {
            guard let name = algValue.stringValue else { throw Rejection("alg is not a string") }
            guard let supported = JWTAlgorithm(name: name) else {
                throw Rejection("alg \"\(DiagnosticText.printable(name))\" is not supported")
            }
            algorithm = supported
        }

        let key: JWTVerificationKey
        if kty.isExactly("EC") {
            key = try importP256(jwk, keyID: keyID, algorithm: algorithm)
        } else if kty.isExactly("OKP") {
            key = try importEd25519(jwk, keyID: keyID, algorithm: algorithm)
        } else {
            throw Rejection("key type \"\(DiagnosticText.printable(kty))\" is not supported")
        }
        if let algorithm, !key.permits(algorithm) {
            throw Rejection("alg \(algorithm.name) does not fit this key type")
        }
        return key
    }

    private static func importP256(_ jwk: JSONObject, keyID: String?, algorithm: JWTAlgorithm?) throws(Rejection)
        -> JWTVerificationKey
    {
        guard let crv = jwk["crv"]?.stringValue else { throw Rejection("EC key without a string crv") }
        guard crv.isExactly("P-256") else {
            throw Rejection("curve \"\(DiagnosticText.printable(crv))\" is not supported")
        }
        // RFC 7518 §6.2.1.2/3: full-length coordinates, no leading zeros stripped or added.
        let x = try coordinate(jwk, "x")
        let y = try coordinate(jwk, "y")
        do {
            let publicKey = try OpenSSLPublicKey.p256(x: x, y: y)
            return JWTVerificationKey(keyID: keyID, algorithm: algorithm, kind: .p256, publicKey: publicKey)
        } catch {
            throw Rejection("EC point is not on P-256")
        }
    }

    private static func importEd25519(_ jwk: JSONObject, keyID: String?, algorithm: JWTAlgorithm?) throws(Rejection)
        -> JWTVerificationKey
    {
        guard let crv = jwk["crv"]?.stringValue else { throw Rejection("OKP key without a string crv") }
        guard crv.isExactly("Ed25519") else {
            throw Rejection("curve \"\(DiagnosticText.printable(crv))\" is not supported")
        }
        let x = try coordinate(jwk, "x")
        do {
            try Ed25519PointCheck.check(x)
        } catch .nonCanonical {
            throw Rejection("Ed25519 key is not canonically encoded")
        } catch .smallOrder {
            throw Rejection("Ed25519 key is of small order")
        } catch {
            throw Rejection("Ed25519 key does not decode to a curve point")
        }
        do {
            let publicKey = try OpenSSLPublicKey.ed25519(x)
            return JWTVerificationKey(keyID: keyID, algorithm: algorithm, kind: .ed25519, publicKey: publicKey)
        } catch {
            throw Rejection("OpenSSL refused the Ed25519 key")
        }
    }

    /// A base64url member that must decode to exactly 32 bytes.
    private static func coordinate(_ jwk: JSONObject, _ name: String) throws(Rejection) -> [UInt8] {
        guard let text = jwk[name]?.stringValue else { throw Rejection("missing or non-string \"\(name)\"") }
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(text.utf8)
        } catch {
            throw Rejection("\"\(name)\" is not strict base64url")
        }
        guard bytes.count == 32 else { throw Rejection("\"\(name)\" is \(bytes.count) bytes, expected 32") }
        return bytes
    }
}
