import SimbeeJWT

/// A JSON value for a claim or header member of a test token.
///
/// Write it as a literal: `"acme"`, `42`, `1.5`, `true`, `["read", "write"]`, `["org": "acme"]`, or
/// ``null``. The kit writes it as compact RFC 8259 JSON that the verifier's strict reader accepts.
///
/// ```swift
/// var claims = TestClaims()
/// claims.custom["org"] = "acme"
/// claims.custom["exp"] = "tomorrow"  // replaces the registered claim: the verifier answers invalid_claim
/// ```
public struct TestClaimValue: Sendable, Hashable {
    indirect enum Storage: Sendable, Hashable {
        case null
        case bool(Bool)
        case integer(Int64)
        case double(Double)
        case string(String)
        case array([Storage])
        /// Members in the order given; names are unique because they come from a dictionary
        /// (sorted) or from the kit itself.
        case object([Member])
    }

    struct Member: Sendable, Hashable {
        var name: String
        var value: Storage
    }

    let storage: Storage

    init(storage: Storage) {
        self.storage = storage
    }

    /// JSON `null`.
    public static let null = TestClaimValue(storage: .null)

    /// A JSON string.
    public static func string(_ value: String) -> TestClaimValue { TestClaimValue(storage: .string(value)) }

    /// A JSON integer.
    public static func integer(_ value: Int64) -> TestClaimValue { TestClaimValue(storage: .integer(value)) }

    /// A JSON number with a fraction or exponent. It must be finite: minting a token with an
    /// infinite or NaN value throws, as JSON cannot express it.
    public static func number(_ value: Double) -> TestClaimValue { TestClaimValue(storage: .double(value)) }

    /// A JSON `true` or `false`.
    public static func bool(_ value: Bool) -> TestClaimValue { TestClaimValue(storage: .bool(value)) }

    /// A JSON array.
    public static func array(_ elements: [TestClaimValue]) -> TestClaimValue {
        TestClaimValue(storage: .array(elements.map(\.storage)))
    }

    /// A JSON object; members are written in the order of their names, so tokens are reproducible.
    public static func object(_ members: [String: TestClaimValue]) -> TestClaimValue {
        let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return TestClaimValue(storage: .object(sorted.map { Member(name: $0.key, value: $0.value.storage) }))
    }

    /// A NumericDate (RFC 7519 §2): whole seconds since the Unix epoch, fractions dropped. A date
    /// beyond 64-bit seconds is written as a floating-point number (or refused, when not finite).
    static func numericDate(_ secondsSinceEpoch: Double) -> TestClaimValue {
        if let seconds = Int64(exactly: secondsSinceEpoch.rounded(.down)) {
            return TestClaimValue(storage: .integer(seconds))
        }
        return TestClaimValue(storage: .double(secondsSinceEpoch))
    }
}

extension TestClaimValue: ExpressibleByStringLiteral {
    /// A JSON string from a literal.
    public init(stringLiteral value: String) { self.init(storage: .string(value)) }
}

extension TestClaimValue: ExpressibleByIntegerLiteral {
    /// A JSON integer from a literal.
    public init(integerLiteral value: Int64) { self.init(storage: .integer(value)) }
}

extension TestClaimValue: ExpressibleByFloatLiteral {
    /// A JSON number from a literal.
    public init(floatLiteral value: Double) { self.init(storage: .double(value)) }
}

extension TestClaimValue: ExpressibleByBooleanLiteral {
    /// A JSON boolean from a literal.
    public init(booleanLiteral value: Bool) { self.init(storage: .bool(value)) }
}

extension TestClaimValue: ExpressibleByArrayLiteral {
    /// A JSON array from a literal.
    public init(arrayLiteral elements: TestClaimValue...) { self = .array(elements) }
}

extension TestClaimValue: ExpressibleByDictionaryLiteral {
    /// A JSON object from a literal. A name given twice keeps its last value.
    public init(dictionaryLiteral elements: (String, TestClaimValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension TestClaimValue.Storage {
    /// Appends compact RFC 8259 text: no insignificant whitespace, strings escaped where JSON
    /// requires it (the library's own escaping, which its strict reader accepts).
    func serialize(into output: inout String) throws(TestKitError) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .double(let value):
            guard value.isFinite else { throw TestKitError("a claim value is not a finite number") }
            // Swift prints finite doubles as JSON-compatible text ("1.5", "1e-05", "1e+20").
            output += value.description
        case .string(let value): appendQuoted(value, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                try element.serialize(into: &output)
            }
            output += "]"
        case .object(let members):
            try TestClaimValue.Member.serialize(members, into: &output)
        }
    }
}

extension TestClaimValue.Member {
    /// Appends `{"name":value,…}` in the given order.
    static func serialize(_ members: [Self], into output: inout String) throws(TestKitError) {
        output += "{"
        for (index, member) in members.enumerated() {
            if index > 0 { output += "," }
            appendQuoted(member.name, to: &output)
            output += ":"
            try member.value.serialize(into: &output)
        }
        output += "}"
    }

    /// Compact JSON text of an object with these members.
    static func json(_ members: [Self]) throws(TestKitError) -> String {
        var output = ""
        try serialize(members, into: &output)
        return output
    }
}
