/// Reads one JWK object and checks everything about it that needs no cryptography, or says why it
/// cannot be used. `Crypto/` then turns what passes into a ``JWTVerificationKey``.
enum JWKImport {
    /// Why a JWK was skipped. The reason names members and types, never key bytes.
    struct Rejection: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A JWK that passed these checks: its `kid`, `alg` and public key coordinates.
    struct Checked: Sendable {
        enum Material: Sendable {
            /// P-256 affine coordinates, 32 bytes each, big-endian.
            case p256(x: [UInt8], y: [UInt8])
            /// An Ed25519 public key encoding, 32 bytes.
            case ed25519(x: [UInt8])
        }

        let keyID: String?
        let algorithm: JWTAlgorithm?
        let material: Material
    }

    /// Members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    static func check(_ jwk: JSONObject) throws(Rejection) -> Checked {
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

        let material: Checked.Material
        if kty.isExactly("EC") {
            material = try p256(jwk)
        } else if kty.isExactly("OKP") {
            material = try ed25519(jwk)
        } else {
            throw Rejection("key type \"\(DiagnosticText.printable(kty))\" is not supported")
        }
        return Checked(keyID: keyID, algorithm: algorithm, material: material)
    }

    private static func p256(_ jwk: JSONObject) throws(Rejection) -> Checked.Material {
        guard let crv = jwk["crv"]?.stringValue else { throw Rejection("EC key without a string crv") }
        guard crv.isExactly("P-256") else {
            throw Rejection("curve \"\(DiagnosticText.printable(crv))\" is not supported")
        }
        // RFC 7518 §6.2.1.2/3: full-length coordinates, no leading zeros stripped or added.
        return .p256(x: try coordinate(jwk, "x"), y: try coordinate(jwk, "y"))
    }

    private static func ed25519(_ jwk: JSONObject) throws(Rejection) -> Checked.Material {
        guard let crv = jwk["crv"]?.stringValue else { throw Rejection("OKP key without a string crv") }
        guard crv.isExactly("Ed25519") else {
            throw Rejection("curve \"\(DiagnosticText.printable(crv))\" is not supported")
        }
        return .ed25519(x: try coordinate(jwk, "x"))
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
