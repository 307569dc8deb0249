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

    /// Reads and type-checks the registered claims of a payload document whose top-level value is
    /// an object. Judging them against a policy is ``ClaimsValidation``'s step, not this one.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidClaim`` when a claim has the wrong type.
    init(reading document: JSONDocument) throws(JWTError) {
        let members = Members(document)
        issuer = try Self.string(members.iss, "iss", in: document)
        subject = try Self.string(members.sub, "sub", in: document)
        id = try Self.string(members.jti, "jti", in: document)
        expiration = try Self.date(members.exp, "exp", in: document)
        notBefore = try Self.date(members.nbf, "nbf", in: document)
        issuedAt = try Self.date(members.iat, "iat", in: document)
        audience = try Self.audience(members.aud, in: document)

        var scopes: [String] = []
        if let scope = try Self.string(members.scope, "scope", in: document) {
            Self.split(scope, into: &scopes)
        }
        if let list = members.scopes {
            try Self.appendStrings(list, "scopes", in: document, to: &scopes)
        }
        if let scp = members.scp {
            if let text = document.string(scp) {
                Self.split(text, into: &scopes)
            } else {
                try Self.appendStrings(scp, "scp", in: document, to: &scopes)
            }
        }
        self.scopes = Self.removingDuplicates(scopes)
    }

    /// Reads and type-checks the registered claims of a payload.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` when the payload is not a strict JSON
    ///   object, ``JWTError/Code/invalidClaim`` when a claim has the wrong type.
    init(payload: [UInt8]) throws(JWTError) {
        try self.init(reading: ClaimsValidation.payloadDocument(payload))
    }

    /// The registered members of the payload's top-level object, as nodes of its document.
    private struct Members {
        var iss, sub, aud, exp, nbf, iat, jti, scope, scopes, scp: Int?

        init(_ document: JSONDocument) {
            for (name, value) in document.members(of: document.root) {
                switch document.asciiString(name) {
                case "iss": iss = value
                case "sub": sub = value
                case "aud": aud = value
                case "exp": exp = value
                case "nbf": nbf = value
                case "iat": iat = value
                case "jti": jti = value
                case "scope": scope = value
                case "scopes": scopes = value
                case "scp": scp = value
                default: break
                }
            }
        }
    }

    /// The claim's string, or an error when it holds another type.
    private static func string(_ node: Int?, _ name: String, in document: JSONDocument) throws(JWTError) -> String? {
        guard let node else { return nil }
        guard let string = document.string(node) else { throw JWTError(.invalidClaim, "\(name) is not a string") }
        return string
    }

    private static func date(_ node: Int?, _ name: String, in document: JSONDocument) throws(JWTError) -> Date? {
        guard let node else { return nil }
        return Date(timeIntervalSince1970: try NumericDate.seconds(document.number(node), claim: name))
    }

    /// `aud`: a string, or a non-empty array of strings.
    private static func audience(_ node: Int?, in document: JSONDocument) throws(JWTError) -> [String] {
        guard let node else { return [] }
        if let single = document.string(node) { return [single] }
        guard document.kind(node) == .array else {
            throw JWTError(.invalidClaim, "aud is neither a string nor an array of strings")
        }
        var values: [String] = []
        values.reserveCapacity(document.elementCount(of: node))
        for element in document.elements(of: node) {
            guard let value = document.string(element) else { throw JWTError(.invalidClaim, "aud holds a non-string") }
            values.append(value)
        }
        guard !values.isEmpty else { throw JWTError(.invalidClaim, "aud is an empty array") }
        return values
    }

    private static func appendStrings(
        _ node: Int,
        _ name: String,
        in document: JSONDocument,
        to strings: inout [String]
    ) throws(JWTError) {
        guard document.kind(node) == .array else {
            throw JWTError(.invalidClaim, "\(name) is not an array of strings")
        }
        strings.reserveCapacity(strings.count + document.elementCount(of: node))
        for element in document.elements(of: node) {
            guard let string = document.string(element) else {
                throw JWTError(.invalidClaim, "\(name) holds a non-string")
            }
            strings.append(string)
        }
    }

    /// `scopes` in order with later repeats removed, compared byte for byte: pair by pair for the
    /// usual handful, through a set for long lists so that the work stays linear whatever a token
    /// holds.
    private static func removingDuplicates(_ scopes: [String]) -> [String] {
        guard scopes.count > 16 else {
            let repeats = scopes.indices.contains { index in
                scopes[..<index].contains { $0.isExactly(scopes[index]) }
            }
            guard repeats else { return scopes }
            var unique: [String] = []
            for scope in scopes where !unique.contains(where: { $0.isExactly(scope) }) {
                unique.append(scope)
            }
            return unique
        }
        var seen: Set<ExactText> = []
        return scopes.filter { seen.insert(ExactText($0)).inserted }
    }

    private static func split(_ text: String, into scopes: inout [String]) {
        for scope in text.split(separator: " ", omittingEmptySubsequences: true) {
            scopes.append(String(scope))
        }
    }
}
