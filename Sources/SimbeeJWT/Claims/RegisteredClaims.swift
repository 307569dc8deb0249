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

    /// What reading the claims found about a policy's issuer and audiences, so that the policy's
    /// checks need not compare the same strings again.
    struct PolicyMatch {
        /// `iss` is exactly the policy's issuer.
        var issuer = false
        /// `aud` holds exactly one of the policy's audiences.
        var audience = false
    }

    /// Reads and type-checks the registered claims of a validated payload object, in place.
    ///
    /// - Parameters:
    ///   - claims: The payload's registered members.
    ///   - policy: `iss` holding exactly its issuer reuses that string, and `aud` holding exactly one
    ///     of its audiences reuses it (a lone `aud` string, the array the policy keeps for it), which
    ///     spares copies and an allocation; `match` says which matched. Borrowed, not optional: an
    ///     optional argument is a copy of the policy, with its retains and releases, on every
    ///     verification.
    ///   - match: Set to what matched the policy.
    init(_ claims: ClaimsMembers, sharing policy: borrowing ClaimsPolicy, match: inout PolicyMatch) throws(JWTError) {
        // Every member is computed first and stored once at the end: assigning them to `self` one
        // by one made the optimiser build the value in a temporary and copy it out (an outlined
        // copy and destroy of the claims). Measured with the borrowed policy, per ES256
        // verification: about 1,350 instructions and 25 lines of code fewer.
        let issuer = try Self.string(claims.iss, "iss").map { token in
            if let known = policy.issuer, token.isExactly(known) {
                match.issuer = true
                return known
            }
            return token.string
        }
        let subject = try Self.string(claims.sub, "sub")?.string
        let id = try Self.string(claims.jti, "jti")?.string
        let expiration = try Self.date(claims.exp, "exp")
        let notBefore = try Self.date(claims.nbf, "nbf")
        let issuedAt = try Self.date(claims.iat, "iat")

        let audience: [String]
        if let aud = claims.aud {
            if let single = aud.stringToken {
                if let index = policy.audiences.firstIndex(where: { single.isExactly($0) }) {
                    match.audience = true
                    audience = policy.audienceArrays[index]
                } else {
                    audience = [single.string]
                }
            } else if aud.kind == .array {
                var values: [String] = []
                try ValidatedJSON.forEachElement(of: aud) { element throws(JWTError) in
                    guard let token = element.stringToken else {
                        throw JWTError(.invalidClaim, "aud holds a non-string")
                    }
                    if let known = policy.audiences.first(where: { token.isExactly($0) }) {
                        match.audience = true
                        values.append(known)
                    } else {
                        values.append(token.string)
                    }
                }
                guard !values.isEmpty else { throw JWTError(.invalidClaim, "aud is an empty array") }
                audience = values
            } else {
                throw JWTError(.invalidClaim, "aud is neither a string nor an array of strings")
            }
        } else {
            audience = []
        }

        var scopes: [String] = []
        if claims.scope != nil || claims.scopes != nil || claims.scp != nil {
            scopes.reserveCapacity(8)  // one allocation for the usual handful of scopes
        }
        if let scope = try Self.string(claims.scope, "scope") {
            Self.split(scope.string, into: &scopes)
        }
        if let list = claims.scopes {
            try Self.appendStrings(list, "scopes", to: &scopes)
        }
        if let scp = claims.scp {
            if let text = scp.stringToken {
                Self.split(text.string, into: &scopes)
            } else {
                try Self.appendStrings(scp, "scp", to: &scopes)
            }
        }
        self.init(
            issuer: issuer,
            subject: subject,
            audience: audience,
            expiration: expiration,
            notBefore: notBefore,
            issuedAt: issuedAt,
            id: id,
            scopes: Self.removingDuplicates(scopes)
        )
    }

    private init(
        issuer: String?,
        subject: String?,
        audience: [String],
        expiration: Date?,
        notBefore: Date?,
        issuedAt: Date?,
        id: String?,
        scopes: [String]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.expiration = expiration
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.id = id
        self.scopes = scopes
    }

    /// Reads and type-checks the registered claims of a payload, with no policy to share strings
    /// with; see ``init(_:sharing:match:)``.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` when the payload is not a strict JSON
    ///   object, ``JWTError/Code/invalidClaim`` when a claim has the wrong type.
    init(payload: [UInt8]) throws(JWTError) {
        self = try payload.withUnsafeBufferPointer { bytes throws(JWTError) in
            var match = PolicyMatch()
            return try RegisteredClaims(ClaimsMembers(validating: bytes), sharing: Self.noPolicy, match: &match)
        }
    }

    /// A policy with no issuer and no audiences, to share nothing with: made once, since making a
    /// policy allocates.
    private static let noPolicy = ClaimsPolicy()

    /// The claim's string token, or an error when it holds another type.
    private static func string(_ value: ValidatedJSON.Value?, _ name: String) throws(JWTError) -> JSONStringToken? {
        guard let value else { return nil }
        guard let token = value.stringToken else { throw JWTError(.invalidClaim, "\(name) is not a string") }
        return token
    }

    private static func date(_ value: ValidatedJSON.Value?, _ name: String) throws(JWTError) -> Date? {
        guard let value else { return nil }
        return Date(timeIntervalSince1970: try NumericDate.seconds(value.number, claim: name))
    }

    private static func appendStrings(_ value: ValidatedJSON.Value, _ name: String, to strings: inout [String])
        throws(JWTError)
    {
        guard value.kind == .array else { throw JWTError(.invalidClaim, "\(name) is not an array of strings") }
        try ValidatedJSON.forEachElement(of: value) { element throws(JWTError) in
            guard let string = element.stringToken?.string else {
                throw JWTError(.invalidClaim, "\(name) holds a non-string")
            }
            strings.append(string)
        }
    }

    /// `scopes` in order with later repeats removed, compared byte for byte (a set only for long lists).
    private static func removingDuplicates(_ scopes: [String]) -> [String] {
        guard scopes.count > 1 else { return scopes }
        if scopes.count <= 16 {
            // Index loops, not `contains` on slices: a slice per scope retains and releases the
            // array (measured with three scopes: about 100 instructions per verification).
            guard Self.hasRepeats(scopes) else { return scopes }  // the usual case: no copy
            var unique: [String] = []
            for scope in scopes where !unique.contains(where: { $0.isExactly(scope) }) {
                unique.append(scope)
            }
            return unique
        }
        var seen: Set<ExactText> = []
        return scopes.filter { seen.insert(ExactText($0)).inserted }
    }

    private static func hasRepeats(_ scopes: [String]) -> Bool {
        for index in 1..<scopes.count {
            for earlier in 0..<index where scopes[earlier].isExactly(scopes[index]) {
                return true
            }
        }
        return false
    }

    private static func split(_ text: String, into scopes: inout [String]) {
        for scope in text.split(separator: " ", omittingEmptySubsequences: true) {
            scopes.append(String(scope))
        }
    }
}

/// The registered members of a payload object, found while the strict reader validates it: one
/// pass over the payload, not a validation and then a walk. Measured per ES256 verification
/// (cachegrind): about 1,000 fewer instructions and 12 fewer lines of code to fetch into the
/// instruction cache than validating first and walking the members after.
struct ClaimsMembers {
    /// The whole payload object.
    private(set) var payload: ValidatedJSON.Value
    var iss, sub, aud, exp, nbf, iat, jti, scope, scopes, scp: ValidatedJSON.Value?

    /// Validates `payload` as a claims set, strict JSON (same limits as the header) whose top-level
    /// value is an object, and keeps its registered members for reading in place.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` otherwise.
    init(validating payload: UnsafeBufferPointer<UInt8>) throws(JWTError) {
        self.payload = ValidatedJSON.Value(kind: .object, text: UnsafeBufferPointer(start: nil, count: 0))
        let isObject: Bool?
        do {
            // The sink writes the members straight into `self`, so that the reader moves no copies.
            isObject = try withUnsafeMutablePointer(to: &self) { members throws(StrictJSONReader.Failure) in
                try StrictJSONReader.validateObject(payload, limits: JOSEHeader.jsonLimits, into: Sink(members))
            }
        } catch {
            throw JWTError(.malformed, "payload is not strict JSON (\(error))")
        }
        guard isObject != nil else { throw JWTError(.malformed, "payload is not a JSON object") }
        self.payload = ValidatedJSON.root(payload)  // only now: it assumes a valid document
    }

    /// What the strict reader reports, kept for the registered members of the payload's own object
    /// (objects nested in it are read, and their members dropped). A value's text comes with its
    /// member (``StrictJSONSink/addMember(_:key:value:text:to:)``), so the values made here hold none.
    private struct Sink: StrictJSONSink {
        /// Where the payload's members go.
        let members: UnsafeMutablePointer<ClaimsMembers>

        init(_ members: UnsafeMutablePointer<ClaimsMembers>) {
            self.members = members
        }

        private func value(_ kind: ValidatedJSON.Value.Kind, hasEscapes: Bool = false) -> ValidatedJSON.Value {
            ValidatedJSON.Value(kind: kind, text: UnsafeBufferPointer(start: nil, count: 0), hasEscapes: hasEscapes)
        }
        func null() -> ValidatedJSON.Value { value(.null) }
        func bool(_ value: Bool) -> ValidatedJSON.Value { self.value(.bool) }
        func number(_ text: UnsafeBufferPointer<UInt8>, offset: Int) -> ValidatedJSON.Value { value(.number) }
        func string(_ token: JSONStringToken) -> ValidatedJSON.Value { value(.string, hasEscapes: token.hasEscapes) }
        /// Whether the object begun is the payload itself, the top-level value.
        func beginObject(depth: Int) -> Bool { depth == 1 }
        func addMember(
            _ name: JSONStringToken,
            key: NameKey,
            value: ValidatedJSON.Value,
            text: UnsafeBufferPointer<UInt8>,
            to isPayload: inout Bool
        ) {
            // Names are unique in an object the reader accepts, so a slot is set at most once.
            guard isPayload else { return }
            members.pointee[key] = ValidatedJSON.Value(kind: value.kind, text: text, hasEscapes: value.hasEscapes)
        }
        func object(_ isPayload: Bool) -> ValidatedJSON.Value { value(.object) }
        func beginArray() {}
        func addElement(_ value: ValidatedJSON.Value, to elements: inout Void) {}
        func array(_ elements: Void) -> ValidatedJSON.Value { value(.array) }
    }

    /// The member called `name`: from the first pass for a registered name, otherwise found by
    /// another pass.
    func value(named name: String) -> ValidatedJSON.Value? {
        value(named: name, key: NameKey(name))
    }

    /// The member called `name`, whose packed name `key` (`NameKey(name)`) the caller keeps.
    func value(named name: String, key: NameKey) -> ValidatedJSON.Value? {
        return key.isComplete && Self.isRegistered(key) ? self[key] : ValidatedJSON.member(name, of: payload)
    }

    private static func isRegistered(_ key: NameKey) -> Bool {
        switch key {
        case Names.iss, Names.sub, Names.aud, Names.exp, Names.nbf, Names.iat, Names.jti, Names.scope, Names.scopes,
            Names.scp:
            true
        default: false
        }
    }

    /// A registered member by its packed name; `nil` for any other name.
    private subscript(key: NameKey) -> ValidatedJSON.Value? {
        get {
            switch key {
            case Names.iss: iss
            case Names.sub: sub
            case Names.aud: aud
            case Names.exp: exp
            case Names.nbf: nbf
            case Names.iat: iat
            case Names.jti: jti
            case Names.scope: scope
            case Names.scopes: scopes
            case Names.scp: scp
            default: nil
            }
        }
        set {
            switch key {
            case Names.iss: iss = newValue
            case Names.sub: sub = newValue
            case Names.aud: aud = newValue
            case Names.exp: exp = newValue
            case Names.nbf: nbf = newValue
            case Names.iat: iat = newValue
            case Names.jti: jti = newValue
            case Names.scope: scope = newValue
            case Names.scopes: scopes = newValue
            case Names.scp: scp = newValue
            default: break
            }
        }
    }

    /// The claim names, as packed keys (every name fits, so a key match is a name match): the
    /// bytes little-endian, first byte lowest, written out so that they are constants
    /// (`ClaimsMembersTests` checks each against `NameKey(_:)`).
    enum Names {
        static let iss = NameKey(packed: 0x73_7369, length: 3)
        static let sub = NameKey(packed: 0x62_7573, length: 3)
        static let aud = NameKey(packed: 0x64_7561, length: 3)
        static let exp = NameKey(packed: 0x70_7865, length: 3)
        static let nbf = NameKey(packed: 0x66_626E, length: 3)
        static let iat = NameKey(packed: 0x74_6169, length: 3)
        static let jti = NameKey(packed: 0x69_746A, length: 3)
        static let scope = NameKey(packed: 0x65_706F_6373, length: 5)
        static let scopes = NameKey(packed: 0x7365_706F_6373, length: 6)
        static let scp = NameKey(packed: 0x70_6373, length: 3)
    }
}

extension JSONObject {
    /// A JWT payload as a tree, for tools that print it; the same checks as
    /// ``ClaimsMembers/init(validating:)``.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` when it is not a strict JSON object.
    package static func claimsSet(_ payload: [UInt8]) throws(JWTError) -> JSONObject {
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
