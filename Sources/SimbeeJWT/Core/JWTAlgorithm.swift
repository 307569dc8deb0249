/// A JWS signature algorithm this library can verify.
///
/// Only three values exist: ``es256``, ``edDSA`` and ``ed25519``. `none`, the HMAC family and RSA
/// cannot be expressed, so no configuration can enable them by mistake. A verifier's allow-list is
/// fixed when it is built; the header must name an algorithm on it, and the selected key must be
/// able to run it.
public struct JWTAlgorithm: Sendable, Hashable, CustomStringConvertible {
    enum Backing: Sendable, Hashable, CaseIterable {
        case es256
        case edDSA
        case ed25519
    }

    let backing: Backing

    /// ECDSA over P-256 with SHA-256 (RFC 7518 §3.4): Simbee's API-key exchange tokens.
    public static let es256 = JWTAlgorithm(backing: .es256)
    /// EdDSA (RFC 8037), restricted here to Ed25519 keys: Simbee's dashboard and session tokens.
    public static let edDSA = JWTAlgorithm(backing: .edDSA)
    /// The fully specified name for Ed25519 (RFC 9864), which deprecates `EdDSA`.
    public static let ed25519 = JWTAlgorithm(backing: .ed25519)

    /// Every supported algorithm: ``es256``, ``edDSA`` and ``ed25519``.
    public static let allSupported: [JWTAlgorithm] = [.es256, .edDSA, .ed25519]

    /// The algorithm's JOSE name as it appears in a header `alg` (`"ES256"`, `"EdDSA"`, `"Ed25519"`).
    public var name: String {
        switch backing {
        case .es256: "ES256"
        case .edDSA: "EdDSA"
        case .ed25519: "Ed25519"
        }
    }

    /// Same as ``name``.
    public var description: String { name }

    /// The algorithm whose JOSE name is exactly `name`, byte for byte (case-sensitive, no Unicode
    /// normalization), or `nil` when it is not supported.
    ///
    /// - Parameter name: A header `alg` value such as `"ES256"`.
    public init?(name: String) {
        guard let match = Self.allSupported.first(where: { $0.name.isExactly(name) }) else { return nil }
        self = match
    }

    init(backing: Backing) {
        self.backing = backing
    }
}
