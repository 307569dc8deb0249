import SimbeeJWT

/// Overrides for the JOSE header of a test token.
///
/// By default the header is `{"alg":…,"kid":…,"typ":"JWT"}` with the signing key's algorithm and
/// `kid`. Overrides change what the header *says*, never which key signs: that is how tests make
/// tokens naming an unknown key, a forbidden algorithm or a critical extension.
///
/// | header | the verifier answers |
/// |---|---|
/// | ``unknownKeyID`` | `unknown_key` (after one refresh of the key set) |
/// | ``withoutKeyID`` | `unknown_key` (Simbee verifiers require `kid`) |
/// | ``algorithm(_:)`` with `"none"` or `"HS256"` | `unsupported_algorithm` |
///
/// ```swift
/// let token = try issuer.token(header: .unknownKeyID)
/// var header = TestHeader()
/// header.extra["crit"] = ["exp"]  // unsupported_critical_header
/// ```
public struct TestHeader: Sendable {
    /// The `kid` to write instead of the signing key's, or `nil` for the key's own.
    public var keyID: String?
    /// Whether `kid` is written at all. Default `true`.
    public var includesKeyID: Bool
    /// The `alg` to write instead of the signing key's algorithm, or `nil` for the key's own.
    public var algorithm: String?
    /// `typ`, or `nil` to leave it out. Default `"JWT"`.
    public var type: String?
    /// Further header members, written after `alg`, `kid` and `typ` in the order of their names; a
    /// name among those three replaces it in place.
    public var extra: [String: TestClaimValue]

    /// The default header: the signing key's `alg` and `kid`, `typ` `JWT`.
    public init() {
        self.keyID = nil
        self.includesKeyID = true
        self.algorithm = nil
        self.type = "JWT"
        self.extra = [:]
    }

    /// A header naming a `kid` that no key set holds (`unknown-` and random hex).
    public static var unknownKeyID: TestHeader {
        var generator = SystemRandomNumberGenerator()
        return keyID("unknown-" + String(generator.next(), radix: 16))
    }

    /// A header without `kid`.
    public static var withoutKeyID: TestHeader {
        var header = TestHeader()
        header.includesKeyID = false
        return header
    }

    /// A header naming `keyID`.
    public static func keyID(_ keyID: String) -> TestHeader {
        var header = TestHeader()
        header.keyID = keyID
        return header
    }

    /// A header naming the algorithm `name` (the signature is still made with the key's own).
    public static func algorithm(_ name: String) -> TestHeader {
        var header = TestHeader()
        header.algorithm = name
        return header
    }

    /// The header's members for a token signed by `key`.
    func members(signingKey key: TestSigningKey) -> [TestClaimValue.Member] {
        var members: [TestClaimValue.Member] = [.init(name: "alg", value: .string(algorithm ?? key.algorithm.name))]
        if includesKeyID { members.append(.init(name: "kid", value: .string(keyID ?? key.keyID))) }
        if let type { members.append(.init(name: "typ", value: .string(type))) }
        return merged(members, custom: extra, omitted: [])
    }
}
