#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A rule of your own on a verified token's claims, checked inside ``JWTVerifier/verify(_:)``
/// after the policy's registered checks, so that a token that breaks it is refused like any other:
/// ``JWTError/Code/missingClaim`` when the claim is absent, ``JWTError/Code/invalidClaim`` naming
/// the claim when its value does not decode as the rule's type or does not satisfy it.
///
/// A rule runs on every verification, a hit in the verified-token cache included, so a predicate
/// may depend on the time or on state of yours (a maximum age from `iat`, a deny list).
///
/// ```swift
/// var policy = ClaimsPolicy(issuer: "https://api.simbee.io", audiences: ["cl_123"])
/// policy.rules = [
///     ClaimRule("org", as: String.self) { $0 == "acme" },
///     ClaimRule("plan_tier", as: Int.self) { $0 >= 2 },
/// ]
/// ```
public struct ClaimRule: Sendable {
    /// The claim the rule reads, named in a refusal.
    public let claim: String
    /// Decodes the claim's JSON text and judges it; `nil` when it passes, else the refusal's reason.
    private let judge: @Sendable (ArraySlice<UInt8>) -> String?

    /// A rule that decodes the claim as `type` with `JSONDecoder` and requires `predicate` to hold.
    ///
    /// - Parameters:
    ///   - claim: The top-level claim name, compared byte for byte.
    ///   - type: What the claim's value must decode to (`String`, `Int`, `[String]`, a `Decodable`
    ///     struct …).
    ///   - predicate: What the decoded value must satisfy.
    public init<Value: Decodable & SendableMetatype>(
        _ claim: String,
        as type: Value.Type,
        where predicate: @escaping @Sendable (Value) -> Bool
    ) {
        self.claim = claim
        self.judge = { text in
            guard let value = try? JSONDecoder().decode(Value.self, from: Data(text)) else {
                return "does not decode as \(Value.self)"
            }
            return predicate(value) ? nil : "does not satisfy its rule"
        }
    }

    /// Checks the rule against the top-level object `node` of `document`.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/missingClaim`` or ``JWTError/Code/invalidClaim``.
    func check(_ document: JSONDocument) throws(JWTError) {
        let name = DiagnosticText.printable(claim)
        guard let value = document.member(claim, of: document.root) else {
            throw JWTError(.missingClaim, "token has no \(name)")
        }
        if let reason = judge(document.rawText(value)) {
            throw JWTError(.invalidClaim, "\(name) \(reason)")
        }
    }
}
