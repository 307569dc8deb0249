#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The registered claims (RFC 7519 §4.1) and scopes of a verified token, type-checked.
///
/// Every claim listed here was checked for its type when present: a token whose `sub` is a number or
/// whose `aud` is an empty array was refused, not read as "absent".
///
/// The text claims are read from the verified payload when asked, so a verification that nobody
/// asks for `iss`, `aud` or the scopes makes no strings or arrays for them. Read a property once and
/// keep it when you need it several times; ``hasScope(_:)`` reads the scopes in place.
public struct RegisteredClaims: Sendable, Hashable, CustomReflectable {
    /// The verified payload.
    let document: JSONDocument
    /// Where each registered member stands in ``document``.
    private let members: Members

    /// `exp`.
    public let expiration: Date?
    /// `nbf`.
    public let notBefore: Date?
    /// `iat`.
    public let issuedAt: Date?

    /// `iss`.
    public var issuer: String? {
        members.iss.flatMap(document.string)
    }

    /// `sub`: for Simbee, the user id (`cu_…`).
    public var subject: String? {
        members.sub.flatMap(document.string)
    }

    /// `jti`.
    public var id: String? {
        members.jti.flatMap(document.string)
    }

    /// `aud`, as an array whether the token held a string or an array. Empty when absent.
    public var audience: [String] {
        guard let node = members.aud else { return [] }
        if let single = document.string(node) { return [single] }
        return document.elements(of: node).compactMap(document.string)
    }

    /// Scopes, from `scope` (space-separated, RFC 9068 §2.2.3) and the `scopes` and `scp` arrays
    /// (`scp` may also be a space-separated string), in order, without duplicates.
    public var scopes: [String] {
        var scopes: [String] = []
        forEachScope { scope in
            // Always valid UTF-8: the reader checked every string, and a scope is split at spaces.
            if let text = try? UTF8Span(validating: scope) { scopes.append(String(copying: text)) }
            return true
        }
        return Self.removingDuplicates(scopes)
    }

    /// Whether ``scopes`` contains `scope`, compared byte for byte.
    ///
    /// ```swift
    /// guard token.claims.hasScope("write") else { return .forbidden }
    /// ```
    ///
    /// - Parameter scope: The scope a request needs, such as `"write"`.
    /// - Returns: `true` when the token grants `scope`.
    public func hasScope(_ scope: String) -> Bool {
        var found = false
        forEachScope { granted in
            found = granted.hasSameBytes(as: scope.utf8.span)
            return !found
        }
        return found
    }

    /// Reads and type-checks the registered claims of a payload document whose top-level value is
    /// an object. Judging them against a policy is ``ClaimsValidation``'s step, not this one.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidClaim`` when a claim has the wrong type.
    init(reading document: JSONDocument) throws(JWTError) {
        let members = Members(document)
        try Self.checkString(members.iss, "iss", in: document)
        try Self.checkString(members.sub, "sub", in: document)
        try Self.checkString(members.jti, "jti", in: document)
        self.expiration = try Self.date(members.exp, "exp", in: document)
        self.notBefore = try Self.date(members.nbf, "nbf", in: document)
        self.issuedAt = try Self.date(members.iat, "iat", in: document)
        try Self.checkAudience(members.aud, in: document)
        try Self.checkString(members.scope, "scope", in: document)
        if let list = members.scopes {
            try Self.checkStrings(list, "scopes", in: document)
        }
        if let scp = members.scp, document.kind(scp) != .string {
            try Self.checkStrings(scp, "scp", in: document)
        }
        self.document = document
        self.members = members
    }

    /// Reads and type-checks the registered claims of a payload.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` when the payload is not a strict JSON
    ///   object, ``JWTError/Code/invalidClaim`` when a claim has the wrong type.
    init(payload: [UInt8]) throws(JWTError) {
        try self.init(reading: ClaimsValidation.payloadDocument(payload, in: payload.indices))
    }

    /// Whether the token has an `iss` and it is exactly `issuer`, byte for byte; `nil` without `iss`.
    func hasIssuer(_ issuer: String) -> Bool? {
        members.iss.map { document.isString($0, exactly: issuer) }
    }

    /// Whether the token has an `aud`.
    var hasAudience: Bool {
        members.aud != nil
    }

    /// Whether `aud` holds one of `accepted`, compared byte for byte.
    func audienceContains(anyOf accepted: [String]) -> Bool {
        guard let node = members.aud else { return false }
        if document.kind(node) == .string {
            return accepted.contains { document.isString(node, exactly: $0) }
        }
        return document.elements(of: node).contains { value in
            accepted.contains { document.isString(value, exactly: $0) }
        }
    }

    /// The payload's text, exactly as signed.
    var payload: ArraySlice<UInt8> {
        document.source
    }

    /// The memory the claims keep alive, for the verified-token cache's bound.
    var retainedByteCount: Int {
        document.retainedByteCount
    }

    /// Whether both hold the same claims: every property above equal, text byte for byte (two
    /// canonically equivalent spellings of an `iss` are different issuers).
    public static func == (lhs: RegisteredClaims, rhs: RegisteredClaims) -> Bool {
        lhs.issuer.isExactly(rhs.issuer) && lhs.subject.isExactly(rhs.subject)
            && lhs.audience.isExactly(rhs.audience) && lhs.expiration == rhs.expiration
            && lhs.notBefore == rhs.notBefore && lhs.issuedAt == rhs.issuedAt && lhs.id.isExactly(rhs.id)
            && lhs.scopes.isExactly(rhs.scopes)
    }

    /// Hashes the claims that ``==(_:_:)`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(issuer)
        hasher.combine(subject)
        hasher.combine(audience)
        hasher.combine(expiration)
        hasher.combine(notBefore)
        hasher.combine(issuedAt)
        hasher.combine(id)
        hasher.combine(scopes)
    }

    /// The claims, as `dump` and `description` show them; never the token's other bytes.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "issuer": issuer as Any, "subject": subject as Any, "audience": audience,
                "expiration": expiration as Any, "notBefore": notBefore as Any, "issuedAt": issuedAt as Any,
                "id": id as Any, "scopes": scopes,
            ],
            displayStyle: .struct
        )
    }

    /// The registered members of the payload's top-level object, as nodes of its document.
    private struct Members: Sendable {
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

    /// Calls `body` with each scope's bytes in token order, repeats included, until it returns
    /// `false`: the words of `scope`, the elements of `scopes`, then `scp`'s words or elements.
    private func forEachScope(_ body: (Span<UInt8>) -> Bool) {
        func visit(_ node: Int?) -> Bool {
            guard let node else { return true }
            if document.kind(node) == .string {
                return document.withStringBytes(node) { Self.forEachWord(of: $0, body) }
            }
            return document.elements(of: node).allSatisfy { document.withStringBytes($0, body) }
        }
        _ = visit(members.scope) && visit(members.scopes) && visit(members.scp)
    }

    /// Calls `body` with each run of bytes between spaces until it returns `false`; whether it
    /// never did.
    private static func forEachWord(of text: Span<UInt8>, _ body: (Span<UInt8>) -> Bool) -> Bool {
        var start = 0
        for end in 0...text.count where end == text.count || text[end] == UInt8(ascii: " ") {
            if end > start, !body(text.extracting(start..<end)) { return false }
            start = end + 1
        }
        return true
    }

    /// Refuses a present claim that is not a string.
    private static func checkString(_ node: Int?, _ name: String, in document: JSONDocument) throws(JWTError) {
        guard let node, document.kind(node) != .string else { return }
        throw JWTError(.invalidClaim, "\(name) is not a string")
    }

    /// Refuses a claim that is not an array of strings.
    private static func checkStrings(_ node: Int, _ name: String, in document: JSONDocument) throws(JWTError) {
        guard document.kind(node) == .array else {
            throw JWTError(.invalidClaim, "\(name) is not an array of strings")
        }
        guard document.elements(of: node).allSatisfy({ document.kind($0) == .string }) else {
            throw JWTError(.invalidClaim, "\(name) holds a non-string")
        }
    }

    /// `aud`: a string, or a non-empty array of strings.
    private static func checkAudience(_ node: Int?, in document: JSONDocument) throws(JWTError) {
        guard let node, document.kind(node) != .string else { return }
        guard document.kind(node) == .array else {
            throw JWTError(.invalidClaim, "aud is neither a string nor an array of strings")
        }
        try checkStrings(node, "aud", in: document)
        guard document.elementCount(of: node) > 0 else { throw JWTError(.invalidClaim, "aud is an empty array") }
    }

    private static func date(_ node: Int?, _ name: String, in document: JSONDocument) throws(JWTError) -> Date? {
        guard let node else { return nil }
        return Date(timeIntervalSince1970: try NumericDate.seconds(document.number(node), claim: name))
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
}
