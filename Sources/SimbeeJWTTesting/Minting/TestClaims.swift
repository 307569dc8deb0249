#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import SimbeeJWT

/// The claims of a test token, with the defaults of a valid Simbee token: subject `cu_test`,
/// audience `cl_test`, issued now, expiring in 15 minutes, a unique `jti`, and the issuer's own
/// `iss`.
///
/// Presets make the usual refusals one word long, each answered by the verifier with its own
/// `JWTError` code (for a verifier configured like ``SimbeeTestJWKSServer/verifier(clientID:)``):
///
/// | preset | the verifier answers |
/// |---|---|
/// | ``expired`` | `expired` |
/// | ``notYetValid`` | `not_yet_valid` |
/// | ``wrongAudience`` | `audience_mismatch` |
/// | ``wrongIssuer`` | `issuer_mismatch` |
/// | ``missing(_:)`` with `"sub"`, `"exp"`, `"aud"` or `"iss"` | `missing_claim` |
///
/// ```swift
/// let token = try issuer.token(.expired)
/// var claims = TestClaims(subject: "cu_42", scopes: ["read"])
/// claims.custom["org"] = "acme"
/// let custom = try issuer.token(claims)
/// ```
public struct TestClaims: Sendable {
    /// The default subject, `cu_test`.
    public static let defaultSubject = "cu_test"
    /// The default audience, `cl_test`: the client id ``SimbeeTestJWKSServer/verifier(clientID:)``
    /// accepts by default.
    public static let defaultAudience = "cl_test"
    /// The default lifetime, 15 minutes, as Simbee's tokens have.
    public static let defaultLifetime: Duration = .seconds(900)

    /// `iss`; `nil` writes the minting issuer's ``SimbeeTestIssuer/issuer``.
    public var issuer: String?
    /// `sub`, or `nil` to leave it out.
    public var subject: String?
    /// `aud`: written as a string when it holds one value, as an array otherwise, and left out
    /// when empty.
    public var audience: [String]
    /// `iat`, or `nil` to leave it out. Written as whole seconds.
    public var issuedAt: Date?
    /// `nbf`, or `nil` to leave it out. Written as whole seconds.
    public var notBefore: Date?
    /// `exp`, or `nil` to leave it out. Written as whole seconds.
    public var expiresAt: Date?
    /// `jti`, or `nil` to leave it out. Unique by default, so no two minted tokens are alike.
    public var jwtID: String?
    /// `scopes` as a JSON array (the form Simbee uses); left out when empty.
    public var scopes: [String]
    /// Further claims, written after the registered ones in the order of their names. A name that
    /// is also a registered claim (`exp`, `aud` …) replaces it, so a test can give a claim a wrong
    /// type: `custom["exp"] = "tomorrow"`.
    public var custom: [String: TestClaimValue]
    /// Claims left out of the payload whatever else says, such as `["sub"]`.
    public var omitted: Set<String>

    /// Claims of a valid token.
    ///
    /// - Parameters:
    ///   - subject: `sub`; default `cu_test`.
    ///   - audience: `aud`; default `["cl_test"]`.
    ///   - scopes: `scopes`; default none.
    ///   - issuedAt: `iat` and the start of the lifetime; default now.
    ///   - lifetime: The time from `issuedAt` to `exp`; default 15 minutes.
    public init(
        subject: String? = TestClaims.defaultSubject,
        audience: [String] = [TestClaims.defaultAudience],
        scopes: [String] = [],
        issuedAt: Date = Date(),
        lifetime: Duration = TestClaims.defaultLifetime
    ) {
        self.issuer = nil
        self.subject = subject
        self.audience = audience
        self.issuedAt = issuedAt
        self.notBefore = nil
        self.expiresAt = issuedAt.addingTimeInterval(lifetime.inSeconds)
        self.jwtID = Self.uniqueJWTID()
        self.scopes = scopes
        self.custom = [:]
        self.omitted = []
    }

    // MARK: Presets

    /// Valid claims: the defaults, issued now.
    public static var valid: TestClaims { TestClaims() }

    /// Claims of a token that expired an hour ago: beyond any leeway a verifier accepts (at most
    /// 5 minutes). The verifier answers `expired`.
    public static var expired: TestClaims {
        TestClaims(issuedAt: Date().addingTimeInterval(-3_600 - 900))
    }

    /// Claims of a token that becomes valid (`nbf`) in an hour. The verifier answers `not_yet_valid`.
    public static var notYetValid: TestClaims {
        var claims = TestClaims()
        claims.notBefore = Date().addingTimeInterval(3_600)
        claims.expiresAt = claims.notBefore!.addingTimeInterval(defaultLifetime.inSeconds)
        return claims
    }

    /// Claims for another client (`aud` `cl_someone_else`). The verifier answers `audience_mismatch`.
    public static var wrongAudience: TestClaims { TestClaims(audience: ["cl_someone_else"]) }

    /// Claims naming another issuer (`iss` `https://issuer.invalid`). The verifier answers
    /// `issuer_mismatch`.
    public static var wrongIssuer: TestClaims {
        var claims = TestClaims()
        claims.issuer = "https://issuer.invalid"
        return claims
    }

    /// Valid claims with `names` left out. Without `sub`, `exp`, `aud` or `iss` a Simbee verifier
    /// answers `missing_claim`.
    public static func missing(_ names: String...) -> TestClaims {
        TestClaims().omitting(names)
    }

    // MARK: Modifiers

    /// These claims with `value` set for `name` (replacing a registered claim of that name).
    public func with(_ name: String, _ value: TestClaimValue) -> TestClaims {
        var copy = self
        copy.custom[name] = value
        copy.omitted.remove(name)
        return copy
    }

    /// These claims without `names`.
    public func omitting(_ names: some Sequence<String>) -> TestClaims {
        var copy = self
        copy.omitted.formUnion(names)
        return copy
    }

    // MARK: Encoding

    /// The payload's members in order: `iss`, `sub`, `aud`, `iat`, `nbf`, `exp`, `jti`, `scopes`,
    /// then the custom claims by name; custom values replace registered ones in place.
    func members(defaultIssuer: String) -> [TestClaimValue.Member] {
        var members: [TestClaimValue.Member] = []
        func add(_ name: String, _ value: TestClaimValue?) {
            if let value { members.append(.init(name: name, value: value.storage)) }
        }
        add("iss", .string(issuer ?? defaultIssuer))
        add("sub", subject.map(TestClaimValue.string))
        switch audience.count {
        case 0: break
        case 1: add("aud", .string(audience[0]))
        default: add("aud", .array(audience.map(TestClaimValue.string)))
        }
        add("iat", issuedAt.map { TestClaimValue.numericDate($0.timeIntervalSince1970) })
        add("nbf", notBefore.map { TestClaimValue.numericDate($0.timeIntervalSince1970) })
        add("exp", expiresAt.map { TestClaimValue.numericDate($0.timeIntervalSince1970) })
        add("jti", jwtID.map(TestClaimValue.string))
        if !scopes.isEmpty { add("scopes", .array(scopes.map(TestClaimValue.string))) }
        return merged(members, custom: custom, omitted: omitted)
    }

    private static func uniqueJWTID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next(), radix: 16)
        let low = String(generator.next(), radix: 16)
        return "jti_" + String(repeating: "0", count: 16 - high.count) + high
            + String(repeating: "0", count: 16 - low.count) + low
    }
}

/// `members` with each custom value replacing the member of its name in place (or appended, in
/// name order), and the omitted names removed: member names stay unique.
func merged(
    _ members: [TestClaimValue.Member],
    custom: [String: TestClaimValue],
    omitted: Set<String>
) -> [TestClaimValue.Member] {
    var result = members
    let extras = custom.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    for (name, value) in extras {
        if let index = result.firstIndex(where: { $0.name == name }) {
            result[index].value = value.storage
        } else {
            result.append(.init(name: name, value: value.storage))
        }
    }
    return result.filter { !omitted.contains($0.name) }
}
