#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The registered claims (RFC 7519 §4.1) and scopes of a verified token, type-checked.
///
/// Every claim listed here was checked for its type when present: a token whose `sub` is a number or
/// whose `aud` is an empty array was refused, not read as "absent".
public struct RegisteredClaims: Sendable, Hashable {
    /// `iss`.
    public let issuer: String?
    /// `sub`: for Simbee, the user id (`cu_…`).
    public let subject: String?
    /// `aud`, as an array whether the token held a string or an array. Empty when absent.
    public let audience: [String]
    /// `exp`.
    public let expiration: Date?
    /// `nbf`.
    public let notBefore: Date?
    /// `iat`.
    public let issuedAt: Date?
    /// `jti`.
    public let id: String?
    /// Scopes, from `scope` (space-separated, RFC 9068 §2.2.3) and the `scopes` and `scp` arrays
    /// (`scp` may also be a space-separated string), in order, without duplicates.
    public let scopes: [String]

    /// Whether ``scopes`` contains `scope`, compared byte for byte.
    ///
    /// ```swift
    /// guard token.claims.hasScope("write") else { return .forbidden }
    /// ```
    ///
    /// - Parameter scope: The scope a request needs, such as `"write"`.
    /// - Returns: `true` when the token grants `scope`.
    public func hasScope(_ scope: String) -> Bool {
        scopes.contains { $0.isExactly(scope) }
    }

    /// Reads and type-checks the registered claims of a payload object.
    init(_ payload: JSONObject) throws(JWTError) {
        issuer = try Self.string(payload, "iss")
        subject = try Self.string(payload, "sub")
        id = try Self.string(payload, "jti")
        expiration = try Self.date(payload, "exp")
        notBefore = try Self.date(payload, "nbf")
        issuedAt = try Self.date(payload, "iat")

        switch payload["aud"] {
        case nil:
            audience = []
        case .string(let single)?:
            audience = [single]
        case .array(let elements)?:
            guard !elements.isEmpty else { throw JWTError(.invalidClaim, "aud is an empty array") }
            var values: [String] = []
            for element in elements {
                guard let value = element.stringValue else { throw JWTError(.invalidClaim, "aud holds a non-string") }
                values.append(value)
            }
            audience = values
        default:
            throw JWTError(.invalidClaim, "aud is neither a string nor an array of strings")
        }

        var scopes: [String] = []
        if let scope = payload["scope"] {
            guard let text = scope.stringValue else { throw JWTError(.invalidClaim, "scope is not a string") }
            scopes += Self.split(text)
        }
        if let list = payload["scopes"] {
            scopes += try Self.stringArray(list, "scopes")
        }
        switch payload["scp"] {
        case nil: break
        case .string(let text)?: scopes += Self.split(text)
        case let list?: scopes += try Self.stringArray(list, "scp")
        }
        self.scopes = Self.removingDuplicates(scopes)
    }

    private static func string(_ payload: JSONObject, _ name: String) throws(JWTError) -> String? {
        guard let value = payload[name] else { return nil }
        guard let string = value.stringValue else { throw JWTError(.invalidClaim, "\(name) is not a string") }
        return string
    }

    private static func date(_ payload: JSONObject, _ name: String) throws(JWTError) -> Date? {
        guard let value = payload[name] else { return nil }
        return Date(timeIntervalSince1970: try NumericDate.seconds(value, claim: name))
    }

    private static func stringArray(_ value: JSONValue, _ name: String) throws(JWTError) -> [String] {
        guard case .array(let elements) = value else {
            throw JWTError(.invalidClaim, "\(name) is not an array of strings")
        }
        var strings: [String] = []
        for element in elements {
            guard let string = element.stringValue else { throw JWTError(.invalidClaim, "\(name) holds a non-string") }
            strings.append(string)
        }
        return strings
    }

    /// `scopes` in order with later repeats removed, compared byte for byte (a set only for long lists).
    private static func removingDuplicates(_ scopes: [String]) -> [String] {
        guard scopes.count > 1 else { return scopes }
        if scopes.count <= 16 {
            let repeats = scopes.indices.contains { index in
                scopes[..<index].contains { $0.isExactly(scopes[index]) }
            }
            guard repeats else { return scopes }  // the usual case: no copy
            var unique: [String] = []
            for scope in scopes where !unique.contains(where: { $0.isExactly(scope) }) {
                unique.append(scope)
            }
            return unique
        }
        var seen: Set<ExactText> = []
        return scopes.filter { seen.insert(ExactText($0)).inserted }
    }

    private static func split(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
}

extension JSONObject {
    /// A JWT payload as a claims set: strict JSON (same limits as the header) that is an object.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` otherwise.
    static func claimsSet(_ payload: [UInt8]) throws(JWTError) -> JSONObject {
        let value: JSONValue
        do {
            value = try StrictJSONReader.read(payload, limits: JOSEHeader.jsonLimits)
        } catch {
            throw JWTError(.malformed, "payload is not strict JSON (\(error))")
        }
        guard let object = value.objectValue else { throw JWTError(.malformed, "payload is not a JSON object") }
        return object
    }
}
